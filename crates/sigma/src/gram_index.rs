//! Every occurrence of many short texts in a text, found in one pass whose cost per byte
//! does not grow with the number of texts.
//!
//! Each text is keyed on one of its four-byte pieces (a *gram*), the one fewest other
//! texts share; a text shorter than four bytes on a two-byte gram, a one-byte text on
//! its byte. The search hashes the gram at every position of the searched text and
//! looks it up in a bit table small enough to stay in the L1 cache; only where a bit is
//! set are the texts keyed on that gram compared in full. With 2,000 texts on one field
//! (SigmaHQ's command-line literals) that is one table lookup per byte, where a set of
//! SIMD pre-searches of 64 texts each passes over the text 32 times.

use rustc_hash::FxHashMap;

/// A text keyed on a gram: which text, and where in it the gram sits.
#[derive(Debug, Clone, Copy)]
struct Entry {
    text: u32,
    offset: u32,
}

/// Bits of the hash of a four-byte gram: 65,536 bits, 8 KiB, in the L1 cache.
const HASH_BITS: u32 = 16;
const BUCKETS: usize = 1 << HASH_BITS;

/// Texts of four bytes or more, by the hash of a four-byte gram.
#[derive(Debug)]
struct WideTable {
    bits: Box<[u64; BUCKETS / 64]>,
    /// Bucket `h` holds `entries[starts[h]..starts[h + 1]]`.
    starts: Vec<u32>,
    entries: Vec<Entry>,
}

fn hash(gram: u32) -> usize {
    (gram.wrapping_mul(0x9E37_79B1) >> (32 - HASH_BITS)) as usize
}

fn set_bit(bits: &mut [u64], index: usize) {
    bits[index >> 6] |= 1 << (index & 63);
}

fn gram4(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

fn gram2(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([bytes[at], bytes[at + 1]])
}

#[derive(Debug)]
pub(crate) struct GramIndex {
    texts: Vec<Box<[u8]>>,
    wide: Option<WideTable>,
    /// Texts of two or three bytes, by a two-byte gram (a direct bit table).
    narrow_bits: Vec<u64>,
    narrow: FxHashMap<u16, Vec<Entry>>,
    /// One-byte texts, by their byte.
    single: Vec<Vec<u32>>,
}

/// The offset of the gram (of `width` bytes) of `text` that the fewest texts contain.
fn rarest<K: std::hash::Hash + Eq>(
    text: &[u8],
    width: usize,
    key: impl Fn(&[u8], usize) -> K,
    counts: &FxHashMap<K, u32>,
) -> usize {
    (0..=text.len() - width)
        .min_by_key(|&at| counts.get(&key(text, at)).copied().unwrap_or(0))
        .unwrap_or(0)
}

/// How many texts contain each gram (each text counted once per gram).
fn gram_counts<K: std::hash::Hash + Eq + Copy>(
    texts: &[Box<[u8]>],
    width: usize,
    key: impl Fn(&[u8], usize) -> K,
) -> FxHashMap<K, u32> {
    let mut counts: FxHashMap<K, u32> = FxHashMap::default();
    let mut seen = Vec::new();
    for text in texts.iter().filter(|t| t.len() >= width) {
        seen.clear();
        for at in 0..=text.len() - width {
            let gram = key(text, at);
            if !seen.contains(&gram) {
                seen.push(gram);
                *counts.entry(gram).or_default() += 1;
            }
        }
    }
    counts
}

impl WideTable {
    fn new(keyed: Vec<(u32, Entry)>) -> WideTable {
        let mut bits = Box::new([0u64; BUCKETS / 64]);
        let mut buckets: Vec<Vec<Entry>> = vec![Vec::new(); BUCKETS];
        for (gram, entry) in keyed {
            let h = hash(gram);
            set_bit(&mut bits[..], h);
            buckets[h].push(entry);
        }
        let mut starts = Vec::with_capacity(BUCKETS + 1);
        let mut entries = Vec::new();
        for bucket in buckets {
            starts.push(entries.len() as u32);
            entries.extend(bucket);
        }
        starts.push(entries.len() as u32);
        WideTable {
            bits,
            starts,
            entries,
        }
    }

    /// Whether the gram's bit is set (1) or not (0).
    fn bit(&self, gram: u32) -> u64 {
        let h = hash(gram);
        (self.bits[h >> 6] >> (h & 63)) & 1
    }

    /// Each position of `haystack` whose gram's bit is set, in order, with the
    /// gram's hash, until `hit` says stop (true); whether it did.
    fn any_hit(&self, haystack: &[u8], mut hit: impl FnMut(usize, usize) -> bool) -> bool {
        let n = haystack.len();
        let mut at = 0;
        // Eight positions at a time from two eight-byte loads, with one branch: most
        // blocks have no bit set.
        while at + 12 <= n {
            let low = u64::from_le_bytes(haystack[at..at + 8].try_into().expect("8 bytes"));
            let high = u64::from_le_bytes(haystack[at + 4..at + 12].try_into().expect("8 bytes"));
            let mut any = 0;
            for k in 0..4 {
                any |= self.bit((low >> (8 * k)) as u32);
                any |= self.bit((high >> (8 * k)) as u32);
            }
            if any != 0 {
                for k in 0..8 {
                    let gram = gram4(haystack, at + k);
                    if self.bit(gram) != 0 && hit(at + k, hash(gram)) {
                        return true;
                    }
                }
            }
            at += 8;
        }
        while at + 4 <= n {
            let gram = gram4(haystack, at);
            if self.bit(gram) != 0 && hit(at, hash(gram)) {
                return true;
            }
            at += 1;
        }
        false
    }
}

impl GramIndex {
    /// Index these texts (byte strings; empty ones are never reported).
    pub fn new<'a>(texts: impl IntoIterator<Item = &'a [u8]>) -> GramIndex {
        let texts: Vec<Box<[u8]>> = texts.into_iter().map(Box::from).collect();
        let wide_counts = gram_counts(&texts, 4, gram4);
        let narrow_counts = gram_counts(&texts, 2, gram2);
        let mut wide = Vec::new();
        let mut narrow: FxHashMap<u16, Vec<Entry>> = FxHashMap::default();
        let mut narrow_bits = Vec::new();
        let mut single = Vec::new();
        for (id, text) in texts.iter().enumerate() {
            let text_id = id as u32;
            match text.len() {
                0 => {}
                1 => {
                    single.resize(256, Vec::new());
                    single[text[0] as usize].push(text_id);
                }
                2 | 3 => {
                    let offset = rarest(text, 2, gram2, &narrow_counts);
                    let gram = gram2(text, offset);
                    narrow_bits.resize(65536 / 64, 0);
                    set_bit(&mut narrow_bits, gram as usize);
                    narrow.entry(gram).or_default().push(Entry {
                        text: text_id,
                        offset: offset as u32,
                    });
                }
                _ => {
                    let offset = rarest(text, 4, gram4, &wide_counts);
                    let entry = Entry {
                        text: text_id,
                        offset: offset as u32,
                    };
                    wide.push((gram4(text, offset), entry));
                }
            }
        }
        GramIndex {
            texts,
            wide: (!wide.is_empty()).then(|| WideTable::new(wide)),
            narrow_bits,
            narrow,
            single,
        }
    }

    /// Offer each occurrence in `haystack` of each text — its number (in the order
    /// given to [`GramIndex::new`]) and where it starts — to `accept`, in no particular
    /// order, until `accept` takes one (returns true); whether it did.
    pub fn any(&self, haystack: &[u8], mut accept: impl FnMut(usize, usize) -> bool) -> bool {
        let mut verify = |entry: &Entry, at: usize| {
            let Some(start) = at.checked_sub(entry.offset as usize) else {
                return false;
            };
            let text = &self.texts[entry.text as usize];
            haystack.get(start..start + text.len()) == Some(&text[..])
                && accept(entry.text as usize, start)
        };
        if let Some(wide) = &self.wide {
            let found = wide.any_hit(haystack, |at, h| {
                let bucket = wide.starts[h] as usize..wide.starts[h + 1] as usize;
                wide.entries[bucket].iter().any(|entry| verify(entry, at))
            });
            if found {
                return true;
            }
        }
        if !self.narrow.is_empty() {
            for at in 0..haystack.len().saturating_sub(1) {
                let gram = gram2(haystack, at);
                if self.narrow_bits[gram as usize >> 6] & (1 << (gram & 63)) != 0
                    && self.narrow[&gram].iter().any(|entry| verify(entry, at))
                {
                    return true;
                }
            }
        }
        if !self.single.is_empty() {
            for (at, &byte) in haystack.iter().enumerate() {
                for &text in &self.single[byte as usize] {
                    if accept(text as usize, at) {
                        return true;
                    }
                }
            }
        }
        false
    }

    /// The text with this number.
    #[cfg(test)]
    pub fn text(&self, number: usize) -> &[u8] {
        &self.texts[number]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The texts found, sorted and without repeats; each where it said it starts.
    fn found(index: &GramIndex, haystack: &str) -> Vec<usize> {
        let mut out = Vec::new();
        let stopped = index.any(haystack.as_bytes(), |t, start| {
            assert!(haystack.as_bytes()[start..].starts_with(index.text(t)));
            out.push(t);
            false
        });
        assert!(!stopped);
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The texts that occur, found one by one.
    fn naive(texts: &[&str], haystack: &str) -> Vec<usize> {
        (0..texts.len())
            .filter(|&i| !texts[i].is_empty() && haystack.contains(texts[i]))
            .collect()
    }

    #[test]
    fn finds_every_text_of_every_length() {
        let texts = [
            "\\whois.exe",
            "whois",
            "-h ",
            "/c",
            "x",
            "",
            ".exe",
            "whois.arin.net",
            "arin",
        ];
        let index = GramIndex::new(texts.iter().map(|t| t.as_bytes()));
        for haystack in [
            "c:\\tools\\whois.exe -h whois.arin.net 8.8.8.8",
            "cmd.exe /c echo",
            "x",
            "",
            "who",
            "whoi",
            "arin",
            "-h ",
            "nothing here",
        ] {
            assert_eq!(
                found(&index, haystack),
                naive(&texts, haystack),
                "{haystack}"
            );
        }
    }

    #[test]
    fn agrees_with_a_plain_search_on_generated_texts() {
        // A small deterministic generator: texts and haystacks over a narrow alphabet,
        // so that grams collide and texts overlap often.
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        let alphabet = b"ab.\\ -e";
        let mut word = |len: u64| -> String {
            (0..len)
                .map(|_| alphabet[next(alphabet.len() as u64) as usize] as char)
                .collect()
        };
        for round in 0..200 {
            let count = 1 + round % 40;
            let texts: Vec<String> = (0..count).map(|i| word(1 + (i * 7 + round) % 9)).collect();
            let refs: Vec<&str> = texts.iter().map(|t| t.as_str()).collect();
            let index = GramIndex::new(refs.iter().map(|t| t.as_bytes()));
            for len in [0, 1, 3, 4, 5, 11, 12, 13, 17, 64] {
                let haystack = word(len);
                assert_eq!(
                    found(&index, &haystack),
                    naive(&refs, &haystack),
                    "{refs:?} in {haystack:?}"
                );
            }
        }
    }
}

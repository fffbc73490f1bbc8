//! Every occurrence of many short texts in a text, found in one pass whose cost per byte
//! does not grow with the number of texts.
//!
//! Texts are keyed on four-byte pieces (*grams*), hashed into a bit table small enough
//! to stay in the L1 cache; the search hashes the searched text's grams and compares
//! texts in full only where a bit is set. With 2,000 texts on one field (SigmaHQ's
//! command-line literals) that is one table lookup per byte at most, where a set of SIMD
//! pre-searches of 64 texts each passes over the text 32 times.
//!
//! Long texts need fewer lookups: when every text of four bytes or more is at least
//! `s + 3` bytes long, each occurrence covers `s` consecutive gram positions, so looking
//! at every `s`-th position of the searched text meets each occurrence once, at an
//! offset below `s` — and the table holds each text under its first `s` grams (`s` at
//! most 16). When some are shorter than eight bytes (`s` = 1), each text is keyed on
//! its gram the fewest other texts share. A text shorter than four bytes is keyed on a
//! two-byte gram, a one-byte text on its byte.

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

/// The longest stride (so each text has at most this many entries).
const MAX_STRIDE: usize = 16;

/// A hit looks its entries up among those whose hash agrees in all but the low
/// `BUCKET_SHIFT` bits (4,096 buckets of 16 hash values).
const BUCKET_SHIFT: u32 = 4;

/// Texts of four bytes or more, by the hash of four-byte grams.
#[derive(Debug)]
struct WideTable {
    /// Every how many positions the searched text is looked at.
    stride: usize,
    bits: Box<[u64; BUCKETS / 64]>,
    /// The hash of each entry's gram, in increasing order (looked up only on a hit).
    hashes: Vec<u16>,
    entries: Vec<Entry>,
    /// The entries with hashes in `[b << BUCKET_SHIFT, (b + 1) << BUCKET_SHIFT)` are
    /// `starts[b]..starts[b + 1]`.
    starts: Vec<u32>,
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
    fn new(stride: usize, keyed: Vec<(u32, Entry)>) -> WideTable {
        let mut bits = Box::new([0u64; BUCKETS / 64]);
        let mut hashed: Vec<(u16, Entry)> = keyed
            .into_iter()
            .map(|(gram, entry)| (hash(gram) as u16, entry))
            .collect();
        hashed.sort_by_key(|(h, _)| *h);
        for (h, _) in &hashed {
            set_bit(&mut bits[..], *h as usize);
        }
        let hashes: Vec<u16> = hashed.iter().map(|(h, _)| *h).collect();
        let starts = (0..=BUCKETS >> BUCKET_SHIFT)
            .map(|b| hashes.partition_point(|&h| ((h as usize) >> BUCKET_SHIFT) < b) as u32)
            .collect();
        WideTable {
            stride,
            bits,
            hashes,
            entries: hashed.into_iter().map(|(_, e)| e).collect(),
            starts,
        }
    }

    /// The entries whose gram has this hash.
    fn bucket(&self, h: usize) -> impl Iterator<Item = &Entry> {
        let b = h >> BUCKET_SHIFT;
        let range = self.starts[b] as usize..self.starts[b + 1] as usize;
        self.hashes[range.clone()]
            .iter()
            .zip(&self.entries[range])
            .filter(move |(&x, _)| x as usize == h)
            .map(|(_, e)| e)
    }

    /// Whether the gram's bit is set (1) or not (0).
    fn bit(&self, gram: u32) -> u64 {
        let h = hash(gram);
        (self.bits[h >> 6] >> (h & 63)) & 1
    }

    /// Call `hit` with each position of `haystack` whose gram's bit is set, in order,
    /// and the gram's hash.
    fn for_each_hit(&self, haystack: &[u8], mut hit: impl FnMut(usize, usize)) {
        let n = haystack.len();
        if self.stride > 1 {
            for at in (0..n.saturating_sub(3)).step_by(self.stride) {
                let gram = gram4(haystack, at);
                if self.bit(gram) != 0 {
                    hit(at, hash(gram));
                }
            }
            return;
        }
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
                    if self.bit(gram) != 0 {
                        hit(at + k, hash(gram));
                    }
                }
            }
            at += 8;
        }
        while at + 4 <= n {
            let gram = gram4(haystack, at);
            if self.bit(gram) != 0 {
                hit(at, hash(gram));
            }
            at += 1;
        }
    }
}

impl GramIndex {
    /// Index these texts (byte strings; empty ones are never reported).
    pub fn new<'a>(texts: impl IntoIterator<Item = &'a [u8]>) -> GramIndex {
        let texts: Vec<Box<[u8]>> = texts.into_iter().map(Box::from).collect();
        let shortest = texts.iter().map(|t| t.len()).filter(|&n| n >= 4).min();
        let stride = shortest.map_or(1, |n| (n - 3).min(MAX_STRIDE));
        let wide_counts = match stride {
            1 => gram_counts(&texts, 4, gram4),
            _ => FxHashMap::default(),
        };
        let narrow_counts = gram_counts(&texts, 2, gram2);
        let mut wide: Vec<(u32, Entry)> = Vec::new();
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
                    let offsets = match stride {
                        1 => {
                            let rare = rarest(text, 4, gram4, &wide_counts);
                            rare..rare + 1
                        }
                        stride => 0..stride,
                    };
                    for offset in offsets {
                        let entry = Entry {
                            text: text_id,
                            offset: offset as u32,
                        };
                        wide.push((gram4(text, offset), entry));
                    }
                }
            }
        }
        GramIndex {
            texts,
            wide: (!wide.is_empty()).then(|| WideTable::new(stride, wide)),
            narrow_bits,
            narrow,
            single,
        }
    }

    /// Call `found` with the number (in the order given to [`GramIndex::new`]) of each
    /// text that occurs in `haystack`, once per occurrence, in no particular order.
    pub fn for_each_match(&self, haystack: &[u8], mut found: impl FnMut(usize)) {
        let mut verify = |entry: &Entry, at: usize| {
            let Some(start) = at.checked_sub(entry.offset as usize) else {
                return;
            };
            let text = &self.texts[entry.text as usize];
            if haystack.get(start..start + text.len()) == Some(&text[..]) {
                found(entry.text as usize);
            }
        };
        if let Some(wide) = &self.wide {
            wide.for_each_hit(haystack, |at, h| {
                wide.bucket(h).for_each(|entry| verify(entry, at));
            });
        }
        if !self.narrow.is_empty() {
            for at in 0..haystack.len().saturating_sub(1) {
                let gram = gram2(haystack, at);
                if self.narrow_bits[gram as usize >> 6] & (1 << (gram & 63)) != 0 {
                    self.narrow[&gram]
                        .iter()
                        .for_each(|entry| verify(entry, at));
                }
            }
        }
        if !self.single.is_empty() {
            for &byte in haystack {
                self.single[byte as usize]
                    .iter()
                    .for_each(|&text| found(text as usize));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::generated_texts::{distinct, naive, Generator};

    /// The texts found, sorted and without repeats.
    fn found(index: &GramIndex, haystack: &str) -> Vec<usize> {
        let mut out = Vec::new();
        index.for_each_match(haystack.as_bytes(), |t| out.push(t));
        distinct(out)
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
        // A small deterministic generator: texts of 1 to 30 bytes (in odd rounds 8 to 30,
        // so that the table is searched at a stride) over a narrow alphabet, so that
        // grams collide and texts overlap often, and haystacks made of random filler and
        // some of the texts, so that long texts occur at every offset.
        let mut generate = Generator::new();
        for round in 0..300 {
            let count = 1 + round % 40;
            let texts: Vec<String> = (0..count)
                .map(|i| match round % 2 {
                    0 => generate.word(1 + (i * 7 + round) % 30),
                    _ => generate.word(8 + (i * 7 + round) % 23),
                })
                .collect();
            let refs: Vec<&str> = texts.iter().map(|t| t.as_str()).collect();
            let index = GramIndex::new(refs.iter().map(|t| t.as_bytes()));
            for len in [0, 1, 3, 4, 5, 11, 12, 13, 17, 64] {
                let haystack = generate.haystack(&refs, len);
                assert_eq!(
                    found(&index, &haystack),
                    naive(&refs, &haystack),
                    "{refs:?} in {haystack:?}"
                );
            }
        }
    }
}

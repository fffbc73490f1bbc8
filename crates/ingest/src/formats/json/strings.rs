//! Where a JSON line's strings lie, found 64 bytes at a time before the line is walked:
//! the quotes that open and close strings, and the backslashes that start escapes.
//! Windows records escape every fifteenth byte or so (paths, `\r\n` in messages); a
//! scanner that stops at each escape spends most of its time restarting, while here a
//! block's quotes, backslashes and control characters are three vector compares and
//! which of them are escaped is a few operations on 64-bit masks (the technique of
//! simdjson's first stage).
//!
//! Where the skim recognises known keys without scanning them (a filter's skim, see
//! [`Policy`]), lines with few escapes (QRadar exports, Zeek) are cheaper to read string
//! by string ([`super::string_run`]): such a skim reads each line the way the escapes of
//! the lines before it say.
//!
//! A line is taken only when every string in it is valid JSON (no control character,
//! only the escapes JSON defines, every string closed) and no backslash is outside a
//! string; anything else is left to the full reader, which reports what is wrong.

use std::ops::Range;

use super::string_run;

const BLOCK: usize = 64;
const ODD_BITS: u64 = 0xaaaa_aaaa_aaaa_aaaa;

/// Lines are scanned in blocks while their escapes (averaged over the last lines) come
/// every this many bytes or more often.
const DENSE: u64 = 32;
/// The average's scale: escapes per byte, times this.
const SCALE: u64 = 1 << 16;

/// The strings of one line: when scanned in blocks, one bit per byte in each 64-byte
/// block; the buffers are kept from line to line.
#[derive(Debug)]
pub(crate) struct Strings {
    /// The quotes that open or close a string (not escaped).
    quotes: Vec<u64>,
    /// The backslashes that start an escape.
    escapes: Vec<u64>,
    /// The `u` of each `\u` escape.
    unicode: Vec<u64>,
    /// This line was scanned in blocks; otherwise each string is read as it is met.
    blocks: bool,
    /// How lines are read.
    policy: Policy,
    /// Escapes per byte (times [`SCALE`]) of the last lines: each line weighs an eighth.
    density: u64,
    /// Read string by string: the line's length, and the escapes met so far.
    length: usize,
    seen: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Policy {
    /// In blocks while the escapes of the last lines are dense, else string by string.
    /// For a skim whose key cache recognises known keys without scanning them: then
    /// only the values' strings are scanned, and on lines with few escapes those are
    /// cheaper one by one.
    Adaptive,
    /// Always in blocks: for lines read in full, whose keys are strings to scan too.
    Blocks,
    /// Always string by string (tests of that way).
    #[cfg(test)]
    ByString,
}

impl Default for Strings {
    fn default() -> Strings {
        Strings::with_policy(Policy::Blocks)
    }
}

/// Where one string ends and what it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StringEnd {
    /// Index of the closing quote.
    pub quote: usize,
    pub escaped: bool,
    /// Holds a `\u` escape, left to serde_json to check (surrogate pairs).
    pub unicode: bool,
}

impl Strings {
    fn with_policy(policy: Policy) -> Strings {
        Strings {
            quotes: Vec::new(),
            escapes: Vec::new(),
            unicode: Vec::new(),
            blocks: true,
            policy,
            density: SCALE / DENSE,
            length: 0,
            seen: 0,
        }
    }

    /// Read lines in blocks or string by string as their escapes say (see [`Policy`]).
    pub fn adaptive() -> Strings {
        Strings::with_policy(Policy::Adaptive)
    }

    #[cfg(test)]
    pub fn in_blocks() -> Strings {
        Strings::with_policy(Policy::Blocks)
    }

    #[cfg(test)]
    pub fn by_string() -> Strings {
        Strings::with_policy(Policy::ByString)
    }

    /// The last line was scanned in blocks.
    #[cfg(test)]
    pub fn scanned_in_blocks(&self) -> bool {
        self.blocks
    }

    /// Get ready for the line `bytes`: when its strings are scanned in blocks, find
    /// them, `false` when a string is not valid JSON or is not closed by the end of the
    /// line (read string by string, [`Strings::string`] says so as the walk meets it).
    pub fn find(&mut self, bytes: &[u8]) -> bool {
        if !self.blocks {
            self.weigh(self.seen, self.length);
        }
        self.blocks = match self.policy {
            Policy::Adaptive => self.density * DENSE >= SCALE,
            Policy::Blocks => true,
            #[cfg(test)]
            Policy::ByString => false,
        };
        if !self.blocks {
            (self.length, self.seen) = (bytes.len(), 0);
            return true;
        }
        let found = self.scan(bytes);
        if self.policy == Policy::Adaptive {
            let escapes: u32 = self.escapes.iter().map(|m| m.count_ones()).sum();
            self.weigh(escapes as usize, bytes.len());
        }
        found
    }

    /// Count a line of `length` bytes with `escapes` into the average.
    fn weigh(&mut self, escapes: usize, length: usize) {
        let line = (escapes as u64 * SCALE / length.max(1) as u64).min(SCALE);
        self.density = self.density - self.density / 8 + line / 8;
    }

    fn scan(&mut self, bytes: &[u8]) -> bool {
        self.quotes.clear();
        self.escapes.clear();
        self.unicode.clear();
        let mut carry = Carry::default();
        let mut chunks = bytes.chunks_exact(BLOCK);
        for block in chunks.by_ref() {
            if !self.block(block.try_into().expect("a whole block"), &mut carry) {
                return false;
            }
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            // Spaces after the end: no quote, backslash or control character.
            let mut block = [b' '; BLOCK];
            block[..rest.len()].copy_from_slice(rest);
            if !self.block(&block, &mut carry) {
                return false;
            }
        }
        carry.inside == 0
    }

    #[inline(always)]
    fn block(&mut self, block: &[u8; BLOCK], carry: &mut Carry) -> bool {
        let masks = masks(block);
        let (escaped, starts) = escaped(masks.backslash, &mut carry.escaped);
        let quotes = masks.quote & !escaped;
        // The opening quote of each string and the bytes after it, up to its closing
        // quote; from the last block when a string runs on.
        let inside = prefix_xor(quotes) ^ carry.inside;
        carry.inside = ((inside as i64) >> 63) as u64;
        // A control character in a string, or a backslash outside one.
        if masks.control & inside != 0 || masks.backslash & !inside != 0 {
            return false;
        }
        let mut unicode = 0;
        // Escaped backslashes and quotes (most escapes: Windows paths) are valid codes
        // as the masks say; only the other codes are looked up.
        let mut codes = escaped & inside & !(masks.backslash | masks.quote);
        while codes != 0 {
            let at = codes.trailing_zeros() as usize;
            match ESCAPED[usize::from(block[at])] {
                0 if block[at] == b'u' => unicode |= 1 << at,
                0 => return false,
                _ => {}
            }
            codes &= codes - 1;
        }
        self.quotes.push(quotes);
        self.escapes.push(starts);
        self.unicode.push(unicode);
        true
    }

    /// The string of `bytes` (the line given to [`Strings::find`]) whose opening quote
    /// is at `open`, as a walk over the line's tokens meets it; `None` when it is not
    /// valid JSON.
    #[inline(always)]
    pub fn string(&mut self, bytes: &[u8], open: usize) -> Option<StringEnd> {
        if !self.blocks {
            return string_run::string_end(bytes, open + 1, &mut self.seen);
        }
        let quote = next_bit(&self.quotes, open + 1)?;
        let body = open + 1..quote;
        let escaped = any_bit(&self.escapes, body.clone());
        Some(StringEnd {
            quote,
            escaped,
            unicode: escaped && any_bit(&self.unicode, body),
        })
    }

    /// The body of the string at `body` (between its quotes) with its escapes
    /// resolved; `None` when it holds a `\u` escape.
    pub fn unescape(&self, text: &str, body: Range<usize>) -> Option<String> {
        if self.blocks {
            resolve(text, body.clone(), Bits::new(&self.escapes, body))
        } else {
            resolve(text, body.clone(), Backslashes::new(text.as_bytes(), body))
        }
    }
}

/// The body of a string with the escapes starting at `escapes` resolved; `None` at a
/// `\u` escape.
fn resolve(text: &str, body: Range<usize>, escapes: impl Iterator<Item = usize>) -> Option<String> {
    let bytes = text.as_bytes();
    // Room for whole copy windows past the end (see `copy_run`).
    let mut out = vec![0; body.len() + WINDOW];
    let mut written = 0;
    let mut run = body.start;
    for at in escapes {
        let length = at - run;
        copy_run(&mut out, written, &bytes[run..], length);
        written += length;
        out[written] = match ESCAPED[usize::from(bytes[at + 1])] {
            // `\u`: the scan let no other code through.
            0 => return None,
            byte => byte,
        };
        written += 1;
        run = at + 2;
    }
    let length = body.end - run;
    copy_run(&mut out, written, &bytes[run..], length);
    out.truncate(written + length);
    // Runs of valid UTF-8 cut at backslashes, and ASCII: valid.
    String::from_utf8(out).ok()
}

/// Copy the first `length` bytes of `from` to `out[to..]`. Runs between escapes
/// (fifteen bytes on average in Windows records, a message's lines some fifty) are
/// copied in one, two or four windows of fixed length where the line and `out` go on
/// far enough, and what the last window writes past the run is overwritten or cut off;
/// a call to `memcpy` for each would cost more than the copy.
#[inline(always)]
fn copy_run(out: &mut [u8], to: usize, from: &[u8], length: usize) {
    /// `N` windows: fixed lengths, so vector moves and no call.
    #[inline(always)]
    fn windows<const N: usize>(out: &mut [u8], to: usize, from: &[u8]) -> bool {
        let (Some(source), Some(target)) =
            (from.get(..N * WINDOW), out.get_mut(to..to + N * WINDOW))
        else {
            return false;
        };
        for k in 0..N {
            let source: &[u8; WINDOW] =
                source[k * WINDOW..][..WINDOW].try_into().expect("a window");
            let target: &mut [u8; WINDOW] = (&mut target[k * WINDOW..][..WINDOW])
                .try_into()
                .expect("a window");
            *target = *source;
        }
        true
    }
    let copied = match length {
        0..=WINDOW => windows::<1>(out, to, from),
        17..=32 => windows::<2>(out, to, from),
        33..=64 => windows::<4>(out, to, from),
        _ => false,
    };
    if !copied {
        out[to..to + length].copy_from_slice(&from[..length]);
    }
}

/// What each escape code stands for; 0 for `u` (four hex digits follow) and for the
/// bytes that are no escape code.
const ESCAPED: [u8; 256] = {
    let mut table = [0; 256];
    let codes = [
        (b'"', b'"'),
        (b'\\', b'\\'),
        (b'/', b'/'),
        (b'b', 0x8),
        (b'f', 0xc),
        (b'n', b'\n'),
        (b'r', b'\r'),
        (b't', b'\t'),
    ];
    let mut i = 0;
    while i < codes.len() {
        table[codes[i].0 as usize] = codes[i].1;
        i += 1;
    }
    table
};

/// The shortest window a run between escapes is copied in.
const WINDOW: usize = 16;

/// The set bits of per-block masks in a range, in order.
struct Bits<'m> {
    masks: &'m [u64],
    block: usize,
    mask: u64,
    end: usize,
}

impl<'m> Bits<'m> {
    fn new(masks: &'m [u64], range: Range<usize>) -> Bits<'m> {
        let block = range.start / BLOCK;
        let first = masks.get(block).copied().unwrap_or(0);
        Bits {
            masks,
            block,
            mask: first & (!0 << (range.start % BLOCK)),
            end: range.end,
        }
    }
}

impl Iterator for Bits<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.mask == 0 {
            self.block += 1;
            if self.block * BLOCK >= self.end {
                return None;
            }
            self.mask = *self.masks.get(self.block)?;
        }
        let at = self.block * BLOCK + self.mask.trailing_zeros() as usize;
        self.mask &= self.mask - 1;
        (at < self.end).then_some(at)
    }
}

/// The escapes of a valid string body found by their backslashes: after one, the next
/// backslash starts the next.
struct Backslashes<'b> {
    bytes: &'b [u8],
    from: usize,
    end: usize,
}

impl<'b> Backslashes<'b> {
    fn new(bytes: &'b [u8], body: Range<usize>) -> Backslashes<'b> {
        Backslashes {
            bytes,
            from: body.start,
            end: body.end,
        }
    }
}

impl Iterator for Backslashes<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        let at = self.from + memchr::memchr(b'\\', self.bytes.get(self.from..self.end)?)?;
        self.from = at + 2;
        Some(at)
    }
}

/// The first set bit of the per-block `masks` at or after `from`.
#[inline(always)]
fn next_bit(masks: &[u64], from: usize) -> Option<usize> {
    let mut block = from / BLOCK;
    let mut mask = *masks.get(block)? & (!0 << (from % BLOCK));
    while mask == 0 {
        block += 1;
        mask = *masks.get(block)?;
    }
    Some(block * BLOCK + mask.trailing_zeros() as usize)
}

/// Whether the per-block `masks` have a bit in `range` (looking no further).
#[inline(always)]
fn any_bit(masks: &[u64], range: Range<usize>) -> bool {
    let mut block = range.start / BLOCK;
    let Some(&first) = masks.get(block) else {
        return false;
    };
    let mut mask = first & (!0 << (range.start % BLOCK));
    loop {
        if mask != 0 {
            return block * BLOCK + (mask.trailing_zeros() as usize) < range.end;
        }
        block += 1;
        match masks.get(block) {
            Some(&next) if block * BLOCK < range.end => mask = next,
            _ => return false,
        }
    }
}

/// What one block passes to the next.
#[derive(Default)]
struct Carry {
    /// All ones when the block ended inside a string.
    inside: u64,
    /// 1 when its last byte was a backslash that escapes the next block's first.
    escaped: u64,
}

struct Masks {
    quote: u64,
    backslash: u64,
    control: u64,
}

/// The bytes of `backslash`'s block that an escape covers (the byte after a backslash
/// that starts one), and the backslashes that start one: in a run of backslashes, every
/// other one, from the first. simdjson's branchless method: subtracting the runs' starts
/// from the odd bits flips the runs that start on an odd byte.
fn escaped(backslash: u64, carry: &mut u64) -> (u64, u64) {
    let potential = backslash & !*carry;
    let maybe_escaped = potential << 1;
    let codes = (maybe_escaped | ODD_BITS).wrapping_sub(potential) ^ ODD_BITS;
    let escaped = codes ^ (backslash | *carry);
    let starts = codes & backslash;
    *carry = starts >> 63;
    (escaped, starts)
}

/// Each bit set when an odd number of `quotes` bits are at or below it.
fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

/// A block's quotes, backslashes and control characters (below 0x20), one bit per byte.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
fn masks(block: &[u8; BLOCK]) -> Masks {
    use safe_arch::{
        cmp_eq_mask_i8_m128i, load_unaligned_m128i, max_u8_m128i, min_u8_m128i, move_mask_i8_m128i,
        set_splat_i8_m128i,
    };
    let quote = set_splat_i8_m128i(b'"' as i8);
    let backslash = set_splat_i8_m128i(b'\\' as i8);
    let below = set_splat_i8_m128i(0x1f);
    let mut masks = Masks {
        quote: 0,
        backslash: 0,
        control: 0,
    };
    let sixteens = || {
        block
            .chunks_exact(16)
            .map(|sixteen| load_unaligned_m128i(sixteen.try_into().expect("sixteen bytes")))
            .enumerate()
    };
    // Unsigned: at most 0x1f when the larger of it and 0x1f is 0x1f.
    let controls =
        |bytes| move_mask_i8_m128i(cmp_eq_mask_i8_m128i(max_u8_m128i(bytes, below), below));
    let mut lowest = set_splat_i8_m128i(-1);
    for (index, bytes) in sixteens() {
        let mask = |v| u64::from(move_mask_i8_m128i(v) as u16) << (16 * index);
        masks.quote |= mask(cmp_eq_mask_i8_m128i(bytes, quote));
        masks.backslash |= mask(cmp_eq_mask_i8_m128i(bytes, backslash));
        lowest = min_u8_m128i(lowest, bytes);
    }
    // Control characters are rare (a tab between members): where the block has one,
    // find them.
    if controls(lowest) != 0 {
        for (index, bytes) in sixteens() {
            masks.control |= u64::from(controls(bytes) as u16) << (16 * index);
        }
    }
    masks
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
fn masks(block: &[u8; BLOCK]) -> Masks {
    portable_masks(block)
}

/// [`masks`] without vector instructions, eight bytes at a time.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
fn portable_masks(block: &[u8; BLOCK]) -> Masks {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOWS: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // The high bit of each byte, gathered into the word's low eight bits.
    let gather = |highs: u64| ((highs >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) & 0xff;
    // A byte is zero when neither its low bits plus 0x7f nor its own high bit set bit 7.
    let zero_in = |x: u64| !(((x & LOWS) + LOWS) | x) & HIGHS;
    let mut masks = Masks {
        quote: 0,
        backslash: 0,
        control: 0,
    };
    for (index, eight) in block.chunks_exact(8).enumerate() {
        let word = u64::from_le_bytes(eight.try_into().expect("eight bytes"));
        let shift = 8 * index;
        masks.quote |= gather(zero_in(word ^ (ONES * u64::from(b'"')))) << shift;
        masks.backslash |= gather(zero_in(word ^ (ONES * u64::from(b'\\')))) << shift;
        let control = !(((word & LOWS) + ONES * 0x60) | word) & HIGHS;
        masks.control |= gather(control) << shift;
    }
    masks
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Byte by byte: the reference the masks are checked against. Each quote, and for
    /// each string whether it holds an escape and a `\u` escape, and where escapes start.
    #[allow(clippy::type_complexity)]
    fn naive(bytes: &[u8]) -> Option<(Vec<usize>, Vec<(bool, bool)>, Vec<usize>)> {
        let (mut quotes, mut flags, mut escapes) = (Vec::new(), Vec::new(), Vec::new());
        let mut inside = false;
        let (mut escaped, mut unicode) = (false, false);
        let mut at = 0;
        while at < bytes.len() {
            match bytes[at] {
                b'"' => {
                    quotes.push(at);
                    if inside {
                        flags.push((escaped, unicode));
                    }
                    (escaped, unicode) = (false, false);
                    inside = !inside;
                }
                b'\\' if !inside => return None,
                b'\\' => {
                    match *bytes.get(at + 1)? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                        b'u' => unicode = true,
                        _ => return None,
                    }
                    escaped = true;
                    escapes.push(at);
                    at += 1;
                }
                byte if inside && byte < 0x20 => return None,
                _ => {}
            }
            at += 1;
        }
        (!inside).then_some((quotes, flags, escapes))
    }

    fn check(bytes: &[u8]) -> bool {
        let mut strings = Strings::in_blocks();
        let found = strings.find(bytes).then(|| {
            let bits = |masks: &[u64]| {
                let mut found = Vec::new();
                while let Some(at) = next_bit(masks, found.last().map_or(0, |at| at + 1)) {
                    found.push(at);
                }
                found
            };
            let quotes = bits(&strings.quotes);
            let flags = quotes
                .iter()
                .step_by(2)
                .map(|&open| {
                    let end = strings.string(bytes, open).unwrap();
                    (end.escaped, end.unicode)
                })
                .collect();
            (quotes, flags, bits(&strings.escapes))
        });
        let expected = naive(bytes);
        assert_eq!(found, expected, "{:?}", String::from_utf8_lossy(bytes));
        expected.is_some()
    }

    /// A small deterministic generator (xorshift), so failures repeat.
    fn random(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    #[test]
    fn agrees_with_a_byte_by_byte_scan() {
        // Random bytes: mostly invalid lines. Random strings of escapes and plain text,
        // quoted: valid ones, with their escapes falling everywhere around block ends.
        let alphabet = b"\"\\\\\\nurx\t a";
        let escapes: [&[u8]; 6] = [b"\\\\", b"\\n", b"\\\"", b"\\u00e9", b"ab", b"\" \""];
        let mut state = 0x2545_f491_4f6c_dd1d;
        let mut valid = 0;
        for length in [0, 1, 2, 63, 64, 65, 127, 128, 129, 200, 300] {
            for _ in 0..400 {
                let bytes: Vec<u8> = (0..length)
                    .map(|_| alphabet[random(&mut state) as usize % alphabet.len()])
                    .collect();
                check(&bytes);
                let mut line = b"\"".to_vec();
                while line.len() < length {
                    let piece = escapes[random(&mut state) as usize % escapes.len()];
                    line.extend_from_slice(piece);
                }
                line.push(b'"');
                valid += usize::from(check(&line));
            }
        }
        assert_eq!(valid, 11 * 400);
        // Backslash runs of every length ending at every offset around a block's end.
        for run in 1..6 {
            for end in 58..70 {
                let mut bytes = vec![b'a'; 80];
                bytes[0] = b'"';
                bytes[79] = b'"';
                bytes[end - run..end].fill(b'\\');
                check(&bytes);
            }
        }
    }

    #[test]
    fn reads_real_lines_as_serde_json_does() {
        let line = r#"{"Image":"C:\\Windows\\System32\\whois.exe","Message":"Process Create:\r\nRuleName: -\r\nCommandLine: \"whois.exe\" -v example.com","é":"\u00e9","n":1}"#;
        let tree = crate::formats::json::tree::parse(line).unwrap();
        let values: Vec<_> = tree
            .members()
            .iter()
            .flat_map(|(k, v)| [Some(k.to_string()), v.as_str().map(str::to_string)])
            .collect();
        for mut strings in [Strings::in_blocks(), Strings::by_string()] {
            assert!(strings.find(line.as_bytes()));
            let mut at = 0;
            let mut texts = Vec::new();
            while let Some(open) = line[at..].find('"').map(|i| i + at) {
                let end = strings.string(line.as_bytes(), open).unwrap();
                texts.push((end, strings.unescape(line, open + 1..end.quote)));
                at = end.quote + 1;
            }
            let read: Vec<_> = texts.iter().map(|(_, text)| text.clone()).collect();
            // `\u` escapes are left to serde_json; every other string reads the same.
            assert_eq!(read[..5], values[..5]);
            assert_eq!(read[5], None);
            assert!(texts[5].0.unicode && texts[5].0.escaped);
            assert_eq!(read[6..], values[6..7]);
            assert!(!texts[0].0.escaped && texts[1].0.escaped);
        }
    }

    #[test]
    fn resolves_runs_of_every_length_as_serde_json_does() {
        // Runs between escapes of 0 to 100 bytes (copied in one, two or four windows,
        // or at once), the string last on its line or followed by more.
        let mut state = 0x9e37_79b9_7f4a_7c15;
        for case in 0..600 {
            let mut body = String::new();
            for _ in 0..1 + random(&mut state) % 4 {
                let run = (random(&mut state) % 101) as usize;
                body.extend((0..run).map(|i| (b'a' + (i % 26) as u8) as char));
                body.push_str(["\\\\", "\\r\\n", "\\\"", "\\t"][case % 4]);
            }
            body.extend((0..random(&mut state) % 70).map(|_| 'z'));
            let tail = if case % 2 == 0 { "" } else { ",\"more\":1" };
            let line = format!("{{\"a\":\"{body}\"{tail}}}");
            let expected: serde_json::Value = serde_json::from_str(&line).unwrap();
            for mut strings in [Strings::in_blocks(), Strings::by_string()] {
                assert!(strings.find(line.as_bytes()));
                let open = line.find(":\"").unwrap() + 1;
                let end = strings.string(line.as_bytes(), open).unwrap();
                let read = strings.unescape(&line, open + 1..end.quote);
                assert_eq!(read.as_deref(), expected["a"].as_str(), "{line}");
            }
        }
    }

    #[test]
    fn refuses_invalid_strings() {
        for line in [
            "{\"a\":\"tab\there\"}",
            r#"{"a":"\x"}"#,
            r#"{"a":"open}"#,
            r#"{"a":"ends in a backslash\"#,
        ] {
            assert!(!Strings::in_blocks().find(line.as_bytes()), "{line}");
        }
        // Control characters between strings are the walk's to judge.
        assert!(Strings::in_blocks().find(b"{\"a\":\t1}"));
    }

    #[test]
    fn vector_and_portable_masks_agree() {
        let mut state = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..2000 {
            let mut block = [0u8; BLOCK];
            for byte in block.iter_mut() {
                *byte = match random(&mut state) % 4 {
                    0 => b'"',
                    1 => b'\\',
                    _ => random(&mut state) as u8,
                };
            }
            let (vector, portable) = (masks(&block), portable_masks(&block));
            assert_eq!(
                (vector.quote, vector.backslash, vector.control),
                (portable.quote, portable.backslash, portable.control)
            );
            let naive = |f: &dyn Fn(u8) -> bool| {
                block
                    .iter()
                    .enumerate()
                    .fold(0u64, |m, (i, &b)| m | u64::from(f(b)) << i)
            };
            assert_eq!(portable.control, naive(&|b| b < 0x20));
            assert_eq!(portable.quote, naive(&|b| b == b'"'));
        }
    }
}

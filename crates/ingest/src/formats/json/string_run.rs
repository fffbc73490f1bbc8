//! One string's end found from its start, eight bytes at a time: for a filter's skim,
//! cheaper than the block scan of [`super::strings`] on lines with few escapes (QRadar
//! exports), where a string's plain run is skipped in a step or two and known keys are
//! not scanned at all.

use super::strings::StringEnd;

/// Bytes that end the plain run of a string: the quote, a backslash, control characters.
static STOPS: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 0x20 {
        table[byte] = true;
        byte += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// The end of a string whose body starts at `at`, counting its escapes into `escapes`;
/// `None` when it is not valid JSON.
pub(super) fn string_end(bytes: &[u8], mut at: usize, escapes: &mut usize) -> Option<StringEnd> {
    let (mut escaped, mut unicode) = (false, false);
    loop {
        // Eight bytes at a time: the lowest flagged byte is the first stop.
        loop {
            let Some(eight) = bytes.get(at..at + 8) else {
                while at < bytes.len() && !STOPS[bytes[at] as usize] {
                    at += 1;
                }
                break;
            };
            let stops = stops(eight);
            if stops != 0 {
                at += stops.trailing_zeros() as usize / 8;
                break;
            }
            at += 8;
        }
        match *bytes.get(at)? {
            b'"' => {
                return Some(StringEnd {
                    quote: at,
                    escaped,
                    unicode,
                })
            }
            b'\\' => {
                escaped = true;
                *escapes += 1;
                match *bytes.get(at + 1)? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                    b'u' => unicode = true,
                    _ => return None,
                }
                at += 2;
            }
            _ => return None,
        }
    }
}

/// Eight bytes' quotes, backslashes and control characters, as the high bit of their
/// byte (SWAR: the "has zero byte" test on the bytes xor'ed with each stop, and the
/// "has byte less than" test for the controls). Bits above the lowest may be false
/// alarms; the lowest is exact.
fn stops(eight: &[u8]) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let mut word = [0; 8];
    word.copy_from_slice(eight);
    let word = u64::from_le_bytes(word);
    let zero_in = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let quote = zero_in(word ^ (ONES * b'"' as u64));
    let backslash = zero_in(word ^ (ONES * b'\\' as u64));
    // A byte below 0x20 (its high bit clear) borrows when 0x20 is taken from it.
    let control = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
    quote | backslash | control
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_eight_byte_test_finds_the_first_stop() {
        for stop in (0u8..0x20).chain([b'"', b'\\']) {
            for at in 0..8 {
                for after in [b'a', b'"', 0] {
                    let mut eight = *b"abcdefgh";
                    eight[at] = stop;
                    eight[(at + 1).min(7)..].fill(if at == 7 { stop } else { after });
                    let found = stops(&eight).trailing_zeros() as usize / 8;
                    assert_eq!(found, at, "{stop:#x} at {at}, then {after:#x}");
                }
            }
        }
        for byte in 0x20u8..=0xff {
            if byte != b'"' && byte != b'\\' {
                assert_eq!(stops(&[byte; 8]), 0, "{byte:#x}");
            }
        }
    }
}

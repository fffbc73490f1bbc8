//! A flat JSON object's top-level members found without building a tree: where each key
//! and value lies in the line and what kind of value it is. A query that rejects most
//! lines on a few fields types only those members (see [`crate::EventFilter`]); the
//! rest are checked for validity and passed over.
//!
//! Only what [`super::tree::parse`] would accept is accepted, so a line read this way
//! means what it means when read in full: anything else (nested objects, arrays of
//! anything but scalars, keys with escapes, a line serde_json would reject) makes
//! [`skim`] say no and the caller reads the line in full, which reports whatever is
//! wrong with it.

use std::borrow::Cow;
use std::ops::Range;

use super::keys::{KeyCache, KeyInfo};
use super::tree::{self, Json};

/// What a member's value is, as far as the skim needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A string; `escaped` when it holds backslash escapes.
    Text {
        escaped: bool,
    },
    /// Non-negative, digits only, at most 18 of them: fits an `i64` as it stands.
    SmallInteger,
    /// Any other number.
    Number,
    /// An array of scalars.
    Array,
    True,
    False,
    Null,
}

/// One top-level member: what its key means, and the byte range of the value's JSON
/// text. (The key is not kept; the key cache holds those of the first 64 members.)
#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub info: KeyInfo,
    pub value: Range<usize>,
    pub kind: Kind,
}

impl Member {
    /// A [`Kind::SmallInteger`]'s value.
    #[inline]
    pub fn integer(&self, text: &str) -> i64 {
        small_integer(text[self.value.clone()].as_bytes())
    }

    /// An unescaped [`Kind::Text`]'s body.
    #[inline]
    pub fn text<'a>(&self, text: &'a str) -> &'a str {
        &text[self.value.start + 1..self.value.end - 1]
    }

    /// The value as [`tree::parse`] would give it.
    pub fn json<'a>(&self, text: &'a str) -> Json<'a> {
        let raw = &text[self.value.clone()];
        match self.kind {
            Kind::Text { escaped: false } => Json::Text(Cow::Borrowed(&raw[1..raw.len() - 1])),
            Kind::SmallInteger => Json::Integer(small_integer(raw.as_bytes())),
            Kind::True => Json::Bool(true),
            Kind::False => Json::Bool(false),
            Kind::Null => Json::Null,
            // Validated by the skim: parses.
            Kind::Text { escaped: true } | Kind::Number | Kind::Array => {
                tree::parse(raw).unwrap_or(Json::Null)
            }
        }
    }
}

/// The members of `text` if it is one flat JSON object (scalars and arrays of scalars
/// only) that serde_json accepts, in document order; `false` otherwise, with `members`
/// unspecified. `keys` are the keys of earlier lines by position: a key where it was
/// last time is taken with one comparison.
pub(crate) fn skim(text: &str, keys: &mut KeyCache, members: &mut Vec<Member>) -> bool {
    members.clear();
    let bytes = text.as_bytes();
    let mut at = skip_space(bytes, 0);
    if bytes.get(at) != Some(&b'{') {
        return false;
    }
    at = skip_space(bytes, at + 1);
    if bytes.get(at) == Some(&b'}') {
        return skip_space(bytes, at + 1) == bytes.len();
    }
    loop {
        if bytes.get(at) != Some(&b'"') {
            return false;
        }
        let index = members.len();
        let (key, info) = match keys.expected_at(index, bytes, at + 1) {
            // A known key holds no quote, backslash or control character.
            Some((length, info)) => (at + 1..at + 1 + length, info),
            None => {
                let Some(end) = string_end(bytes, at + 1) else {
                    return false;
                };
                if end.escaped {
                    return false;
                }
                let key = at + 1..end.quote;
                let info = keys.get(index, &text[key.clone()]);
                (key, info)
            }
        };
        at = skip_space(bytes, key.end + 1);
        if bytes.get(at) != Some(&b':') {
            return false;
        }
        at = skip_space(bytes, at + 1);
        let start = at;
        let kind = if bytes.get(at) == Some(&b'[') {
            let Some(end) = array_end(text, at + 1) else {
                return false;
            };
            at = end;
            Kind::Array
        } else {
            let Some((end, kind)) = scalar(text, at) else {
                return false;
            };
            at = end;
            kind
        };
        members.push(Member {
            info,
            value: start..at,
            kind,
        });
        at = skip_space(bytes, at);
        match bytes.get(at) {
            Some(b',') => at = skip_space(bytes, at + 1),
            Some(b'}') => return skip_space(bytes, at + 1) == bytes.len(),
            _ => return false,
        }
    }
}

/// A scalar value starting at `at`: where it ends and its kind.
fn scalar(text: &str, mut at: usize) -> Option<(usize, Kind)> {
    let bytes = text.as_bytes();
    let start = at;
    let kind = match bytes.get(at)? {
        b'"' => {
            let end = string_end(bytes, at + 1)?;
            at = end.quote + 1;
            if end.unicode && tree::parse(&text[start..at]).is_err() {
                return None;
            }
            Kind::Text {
                escaped: end.escaped,
            }
        }
        b'-' | b'0'..=b'9' => {
            let (end, kind) = number_end(bytes, at)?;
            at = end;
            // serde_json refuses numbers out of a double's range.
            if kind == Kind::Number && tree::parse(&text[start..at]).is_err() {
                return None;
            }
            kind
        }
        b't' if bytes[at..].starts_with(b"true") => {
            at += 4;
            Kind::True
        }
        b'f' if bytes[at..].starts_with(b"false") => {
            at += 5;
            Kind::False
        }
        b'n' if bytes[at..].starts_with(b"null") => {
            at += 4;
            Kind::Null
        }
        _ => return None,
    };
    Some((at, kind))
}

/// The end of an array of scalars whose first element starts at `at` (after `[`).
fn array_end(text: &str, at: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = skip_space(bytes, at);
    if bytes.get(at) == Some(&b']') {
        return Some(at + 1);
    }
    loop {
        at = skip_space(bytes, scalar(text, at)?.0);
        match bytes.get(at)? {
            b',' => at = skip_space(bytes, at + 1),
            b']' => return Some(at + 1),
            _ => return None,
        }
    }
}

fn skip_space(bytes: &[u8], mut at: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = bytes.get(at) {
        at += 1;
    }
    at
}

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

struct StringEnd {
    /// Index of the closing quote.
    quote: usize,
    escaped: bool,
    /// Holds a `\u` escape, left to serde_json to check (surrogate pairs).
    unicode: bool,
}

/// The end of a string whose body starts at `at`; `None` when it is not valid JSON.
fn string_end(bytes: &[u8], mut at: usize) -> Option<StringEnd> {
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

/// The end of a number starting at `at` (JSON's grammar) and its kind.
fn number_end(bytes: &[u8], mut at: usize) -> Option<(usize, Kind)> {
    let start = at;
    let digit = |at: usize| bytes.get(at).is_some_and(u8::is_ascii_digit);
    let negative = bytes[at] == b'-';
    if negative {
        at += 1;
    }
    match *bytes.get(at)? {
        b'0' => at += 1,
        b'1'..=b'9' => at = digits_end(bytes, at + 1),
        _ => return None,
    }
    let mut integer = true;
    if bytes.get(at) == Some(&b'.') {
        integer = false;
        at += 1;
        if !digit(at) {
            return None;
        }
        while digit(at) {
            at += 1;
        }
    }
    if let Some(b'e' | b'E') = bytes.get(at) {
        integer = false;
        at += 1;
        if let Some(b'+' | b'-') = bytes.get(at) {
            at += 1;
        }
        if !digit(at) {
            return None;
        }
        while digit(at) {
            at += 1;
        }
    }
    // serde_json reads `-0` as a float and long integers as u64 or f64: left to it.
    let small = integer && !negative && at - start <= 18;
    Some((
        at,
        if small {
            Kind::SmallInteger
        } else {
            Kind::Number
        },
    ))
}

/// The end of the run of ASCII digits starting at `at`, eight bytes at a time.
fn digits_end(bytes: &[u8], mut at: usize) -> usize {
    const LOW: u64 = 0x0101_0101_0101_0101;
    while let Some(eight) = bytes.get(at..at + 8) {
        let mut word = [0; 8];
        word.copy_from_slice(eight);
        let word = u64::from_le_bytes(word);
        // A digit is 0x3_ with 0x3_ + 6 still 0x3_; a byte's carry only disturbs the
        // bytes above it, which are past the first non-digit anyway.
        let high = |w: u64| (w & (LOW * 0xf0)) ^ (LOW * 0x30);
        let other = high(word) | high(word.wrapping_add(LOW * 6));
        if other != 0 {
            return at + other.trailing_zeros() as usize / 8;
        }
        at += 8;
    }
    while bytes.get(at).is_some_and(u8::is_ascii_digit) {
        at += 1;
    }
    at
}

fn small_integer(digits: &[u8]) -> i64 {
    digits
        .iter()
        .fold(0i64, |n, d| n * 10 + i64::from(d - b'0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(text: &str) -> Option<Vec<(String, Json<'_>)>> {
        let mut found = Vec::new();
        let mut keys = KeyCache::default();
        skim(text, &mut keys, &mut found).then(|| {
            found
                .iter()
                .enumerate()
                .map(|(index, m)| {
                    let key = keys.expected(index).map(str::to_string);
                    (key.unwrap_or_default(), m.json(text))
                })
                .collect()
        })
    }

    /// Whatever the skim accepts, the tree reads the same way.
    fn agrees(text: &str) {
        if let Some(skimmed) = members(text) {
            let tree =
                tree::parse(text).unwrap_or_else(|e| panic!("{text:?}: skim accepts, tree: {e}"));
            let expected: Vec<_> = tree
                .members()
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect();
            assert_eq!(skimmed, expected, "{text:?}");
        }
    }

    #[test]
    fn agrees_with_the_tree() {
        for text in [
            r#"{}"#,
            r#" { } "#,
            r#"{"a":1,"b":"two","c":true,"d":false,"e":null}"#,
            r#"{"starttime":1795434671805,"username":"CORP\\user46","x":"a\"b"}"#,
            r#"{ "a" : -0 , "b" : 0.5, "c": 1e3, "d": -12, "e": 12345678901234567890 }"#,
            r#"{"a":"\u00e9\ud83d\ude00","b":"\/"}"#,
            r#"{"a":"C:\\Windows\\System32\\whois.exe","b":"\b\f\n\r\t\"\\\/x"}"#,
            r#"{"a":"x","a":"y"}"#,
            r#"{"a":"été, long enough to take the eight-byte steps"}"#,
            r#"{"a":123456789012345678,"b":1234567890123456789}"#,
            r#"{"tags":["beats_input_codec_plain_applied", "x\ty"],"e":[],"n":[1, -2.5e3, null, true]}"#,
        ] {
            agrees(text);
            assert!(members(text).is_some(), "{text}");
        }
    }

    #[test]
    fn refuses_what_the_tree_refuses() {
        for text in [
            "",
            r#"{"a":1,}"#,
            r#"{"a":01}"#,
            r#"{"a":1.}"#,
            r#"{"a":1e400}"#,
            r#"{"a":-}"#,
            r#"{"a":"\x"}"#,
            r#"{"a":"\ud800"}"#,
            "{\"a\":\"tab\there\"}",
            "{\"a\":\"control \u{1} in the middle of a long string\"}",
            r#"{"a":tru}"#,
            r#"{"a":1} x"#,
            r#"{"a":1"#,
            r#"{"a" 1}"#,
            r#"{a:1}"#,
            r#"{"a":[1,]}"#,
            r#"{"a":[1 2]}"#,
            r#"{"a":[01]}"#,
            r#"{"a":["\x"]}"#,
            r#"{"a":[1}"#,
            r#"{"a":"unterminated}"#,
        ] {
            assert!(members(text).is_none(), "{text:?}");
            assert!(tree::parse(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn leaves_other_values_nested_values_and_escaped_keys_to_the_tree() {
        for text in [
            "1",
            "[]",
            r#"{"a":{"b":1}}"#,
            r#"{"a":[[1]]}"#,
            r#"{"a":[{}]}"#,
            r#"{"a\u0041":1}"#,
        ] {
            assert!(members(text).is_none(), "{text:?}");
            assert!(tree::parse(text).is_ok(), "{text:?}");
        }
    }

    #[test]
    fn digit_runs_end_at_the_first_other_byte() {
        for length in 0..20 {
            for stop in (0u8..=0xff).filter(|b| !b.is_ascii_digit()) {
                let mut text = b"1234567890123456789".to_vec();
                text.truncate(length);
                text.push(stop);
                text.extend_from_slice(b"123456789");
                assert_eq!(digits_end(&text, 0), length, "{length} then {stop:#x}");
            }
        }
        assert_eq!(digits_end(b"12345678901", 0), 11);
    }

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

//! A flat JSON object's top-level members found without serde_json: where each key and
//! value lies in the line and what kind of value it is. Most NDJSON sources write flat
//! objects (NXLog, Zeek, QRadar exports), and their lines are read this way: a query
//! that rejects most lines on a few fields types only those members (see
//! [`crate::EventFilter`]), and [`object`] builds the tree of the others from the
//! members, with the strings' escapes resolved from the block scan of
//! [`super::strings`] (serde_json stops at every escape; Windows records have one every
//! fifteen bytes or so).
//!
//! Only what [`super::tree::parse`] would accept is accepted, so a line read this way
//! means what it means when read in full: anything else (nested objects, arrays of
//! anything but scalars, keys with escapes, a line serde_json would reject) makes
//! [`skim`] say no and the caller reads the line in full, which reports whatever is
//! wrong with it.

use std::borrow::Cow;
use std::ops::Range;

use super::keys::{KeyCache, KeyInfo};
use super::strings::Strings;
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

/// One top-level member: what its key means (when the caller asked), and the byte
/// ranges of its key and of its value's JSON text.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub info: KeyInfo,
    /// The key's text, without its quotes (a key with escapes is not skimmed).
    pub key: Range<usize>,
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
/// only, keys without escapes) that serde_json accepts, in document order; `false`
/// otherwise, with `members` unspecified. `strings` keeps the line's strings, for
/// [`object`]. With `keys` (the keys of earlier lines by position), each member's key
/// is looked up, and a key where it was last time is taken with one comparison.
pub(crate) fn skim(
    text: &str,
    mut keys: Option<&mut KeyCache>,
    strings: &mut Strings,
    members: &mut Vec<Member>,
) -> bool {
    members.clear();
    let bytes = text.as_bytes();
    if !strings.find(bytes) {
        return false;
    }
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
        let known = keys
            .as_deref()
            .and_then(|k| k.expected_at(index, bytes, at + 1));
        let (key, info) = match known {
            // A known key holds no quote, backslash or control character.
            Some((length, info)) => (at + 1..at + 1 + length, info),
            None => {
                let Some(end) = strings.string(bytes, at) else {
                    return false;
                };
                if end.escaped {
                    return false;
                }
                let key = at + 1..end.quote;
                let info = match keys.as_deref_mut() {
                    Some(keys) => keys.get(index, &text[key.clone()]),
                    None => KeyInfo::default(),
                };
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
            let Some(end) = array_end(text, at + 1, strings) else {
                return false;
            };
            at = end;
            Kind::Array
        } else {
            let Some((end, kind)) = scalar(text, at, strings) else {
                return false;
            };
            at = end;
            kind
        };
        members.push(Member {
            info,
            key,
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
fn scalar(text: &str, mut at: usize, strings: &mut Strings) -> Option<(usize, Kind)> {
    let bytes = text.as_bytes();
    let start = at;
    let kind = match bytes.get(at)? {
        b'"' => {
            let end = strings.string(bytes, at)?;
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
fn array_end(text: &str, at: usize, strings: &mut Strings) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = skip_space(bytes, at);
    if bytes.get(at) == Some(&b']') {
        return Some(at + 1);
    }
    loop {
        at = skip_space(bytes, scalar(text, at, strings)?.0);
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

/// The object of a line [`skim`] took (with these `strings`), as [`tree::parse`] would
/// give it: unescaped texts and keys borrowed from the line, escaped texts resolved
/// here, only `\u` escapes and numbers that are not small integers left to serde_json.
pub(crate) fn object<'a>(text: &'a str, members: &[Member], strings: &Strings) -> Json<'a> {
    Json::Object(
        members
            .iter()
            .map(|member| {
                let key = Cow::Borrowed(&text[member.key.clone()]);
                let value = match member.kind {
                    Kind::Text { escaped: true } => {
                        let body = member.value.start + 1..member.value.end - 1;
                        match strings.unescape(text, body) {
                            Some(unescaped) => Json::Text(Cow::Owned(unescaped)),
                            None => member.json(text),
                        }
                    }
                    _ => member.json(text),
                };
                (key, value)
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The members the skim finds (each value as [`Member::json`] reads it), and the
    /// object [`object`] builds from them: the same whether the line's strings are
    /// scanned in blocks or read one by one, and whether keys are looked up (the second
    /// time through the key cache, by position) or not.
    fn members(text: &str) -> Option<(Vec<(String, Json<'_>)>, Json<'_>)> {
        let in_blocks = members_with(text, Strings::in_blocks(), None);
        assert_eq!(members_with(text, Strings::by_string(), None), in_blocks);
        let mut keys = KeyCache::default();
        for _ in 0..2 {
            let by_string = members_with(text, Strings::by_string(), Some(&mut keys));
            assert_eq!(in_blocks, by_string, "{text:?}");
            let looked_up = members_with(text, Strings::in_blocks(), Some(&mut keys));
            assert_eq!(in_blocks, looked_up, "{text:?}");
        }
        in_blocks
    }

    fn members_with<'t>(
        text: &'t str,
        mut strings: Strings,
        keys: Option<&mut KeyCache>,
    ) -> Option<(Vec<(String, Json<'t>)>, Json<'t>)> {
        let mut found = Vec::new();
        skim(text, keys, &mut strings, &mut found).then(|| {
            let members = found
                .iter()
                .map(|m| (text[m.key.clone()].to_string(), m.json(text)))
                .collect();
            (members, object(text, &found, &strings))
        })
    }

    /// Whatever the skim accepts, the tree reads the same way.
    fn agrees(text: &str) {
        if let Some((skimmed, object)) = members(text) {
            let tree =
                tree::parse(text).unwrap_or_else(|e| panic!("{text:?}: skim accepts, tree: {e}"));
            let expected: Vec<_> = tree
                .members()
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect();
            assert_eq!(skimmed, expected, "{text:?}");
            assert_eq!(object, tree, "{text:?}");
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
    fn strings_end_at_their_closing_quote_however_the_escapes_fall() {
        // Escapes at every offset of a word, across word ends, and at the very end.
        for prefix in 0..12 {
            for escape in [r"\\", r#"\""#, r"\n", r"\u00e9", r"\\\\"] {
                let body = format!("{}{escape}{}", "a".repeat(prefix), "b".repeat(prefix % 5));
                let text = format!("{{\"k\":\"{body}\",\"n\":1}}");
                agrees(&text);
                assert!(members(&text).is_some(), "{text}");
                let bad = format!("{{\"k\":\"{}\\x\"}}", "a".repeat(prefix));
                assert!(members(&bad).is_none(), "{bad}");
                let open = format!("{{\"k\":\"{body}");
                assert!(members(&open).is_none(), "{open}");
                let dangling = format!("{{\"k\":\"{}\\", "a".repeat(prefix));
                assert!(members(&dangling).is_none(), "{dangling}");
            }
        }
    }

    #[test]
    fn random_lines_read_as_the_tree_reads_them() {
        // Members built from pieces that escape, nest, break the grammar or not, so
        // lines fall on both sides of what the skim takes and strings cross the
        // 64-byte blocks at every offset.
        let keys = ["a", "Image", "k\\\"ey", "CommandLine", "é", ""];
        let values = [
            r#""C:\\Windows\\System32\\whois.exe""#,
            r#""line\r\nnext \"quoted\" \/ \b\f\t""#,
            r#""\u00e9\ud83d\ude00""#,
            r#""plain text, long enough to cross a block or two of the line""#,
            r#""""#,
            "-12",
            "0.5e3",
            "12345678901234567890",
            "true",
            "null",
            r#"["x", 1, null]"#,
            r#"{"nested":1}"#,
            r#""bad \x escape""#,
            "01",
            r#""unterminated"#,
            "\"tab\there\"",
        ];
        let mut state = 0x853c_49e6_748f_ea9bu64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as usize % n
        };
        let (mut taken, mut lines) = (0, 0);
        for _ in 0..3000 {
            let pieces: Vec<String> = (0..1 + next(6))
                .map(|_| {
                    let space = [" ", "", "\t"][next(3)];
                    let key = keys[next(keys.len())];
                    let value = values[next(values.len())];
                    format!("\"{key}\"{space}:{space}{value}")
                })
                .collect();
            let line = format!("{{{}}}", pieces.join(","));
            lines += 1;
            if members(&line).is_some() {
                taken += 1;
            }
            agrees(&line);
        }
        assert!(taken > lines / 10, "{taken} of {lines} lines skimmed");
    }

    #[test]
    fn lines_whose_escapes_change_are_read_right_either_way() {
        let dense = r#"{"Image":"C:\\Windows\\System32\\whois.exe","CommandLine":"\"C:\\Windows\\whois.exe\" -v"}"#;
        let sparse = r#"{"username":"CORP\\user46","destinationhostname":"whois.arin.net","sourceport":6656,"note":"a long plain text without any escape, long enough"}"#;
        let mut strings = Strings::adaptive();
        let mut modes = Vec::new();
        let lines = [[dense; 4], [sparse; 4], [sparse; 4], [dense; 4], [dense; 4]];
        for line in lines.concat() {
            let mut found = Vec::new();
            assert!(skim(line, None, &mut strings, &mut found), "{line}");
            modes.push(strings.scanned_in_blocks());
            assert_eq!(object(line, &found, &strings), tree::parse(line).unwrap());
        }
        // In blocks at first; string by string once the lines' escapes, averaged,
        // have thinned out; in blocks again once they are dense again.
        assert_eq!(modes.first(), Some(&true));
        assert!(modes.contains(&false), "{modes:?}");
        assert_eq!(modes.last(), Some(&true), "{modes:?}");
    }
}

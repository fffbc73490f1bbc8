//! String patterns, compiled once: Sigma wildcards become exact, prefix, suffix or
//! substring tests (memchr) where they can, and an anchored regex only where `*`/`?` sit
//! in the middle. Case-insensitive patterns hold their needle lowered and meet the
//! event's lowered text, so no folding happens per comparison.

use memchr::memmem;
use regex::{Regex, RegexBuilder};

/// Ceiling on compiled regex size, against hostile rules (the regex crate is linear-time).
const REGEX_SIZE_LIMIT: usize = 16 << 20;

#[derive(Debug, Clone)]
pub(crate) enum Pattern {
    Equals(Box<str>),
    Prefix(Box<str>),
    Suffix(Box<str>),
    Contains(Box<memmem::Finder<'static>>),
    /// `*` alone: any value, empty included.
    Any,
    Regex(Regex),
}

#[derive(Debug, Clone)]
pub(crate) struct StrMatcher {
    pub pattern: Pattern,
    /// Compare against the raw text (`cased`, `re`) instead of the lowered text.
    pub raw: bool,
    /// For a regex: texts one of which every match contains — a wildcard's longest
    /// literal piece, or a `re` value's ([`crate::regex_keys`]); empty when
    /// nothing can be said (see [`Self::required`]).
    pub keys: Vec<Box<str>>,
}

impl StrMatcher {
    pub fn is_match(&self, raw: &str, lower: &str) -> bool {
        let text = if self.raw { raw } else { lower };
        match &self.pattern {
            Pattern::Equals(needle) => text == needle.as_ref(),
            Pattern::Prefix(needle) => text.starts_with(needle.as_ref()),
            Pattern::Suffix(needle) => text.ends_with(needle.as_ref()),
            Pattern::Contains(finder) => finder.find(text.as_bytes()).is_some(),
            Pattern::Any => true,
            Pattern::Regex(regex) => regex.is_match(text),
        }
    }

    /// Lowered ASCII texts of which every matching value contains one (the prefilter's
    /// key); `None` when nothing can be said (`*`, a regex without keys, empty or
    /// non-ASCII needles).
    pub fn required(&self) -> Option<Vec<Box<str>>> {
        let texts: Vec<&str> = match &self.pattern {
            Pattern::Equals(s) | Pattern::Prefix(s) | Pattern::Suffix(s) => vec![s],
            Pattern::Contains(finder) => vec![std::str::from_utf8(finder.needle()).ok()?],
            Pattern::Any => return None,
            Pattern::Regex(_) => self.keys.iter().map(AsRef::as_ref).collect(),
        };
        if texts.is_empty() || texts.iter().any(|t| t.is_empty() || !t.is_ascii()) {
            return None;
        }
        Some(
            texts
                .iter()
                .map(|t| t.to_ascii_lowercase().into())
                .collect(),
        )
    }

    /// True when an absent field should count as this value: only the empty value `''`
    /// itself. A wildcard that also matches '' (`*`, `contains: '*'`, `startswith: ''`)
    /// asks for a value, as `field=*` does in a SIEM, so an absent field fails it.
    pub fn matches_empty(&self) -> bool {
        matches!(&self.pattern, Pattern::Equals(needle) if needle.is_empty())
    }
}

/// One piece of a Sigma wildcard string.
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Literal(String),
    Star,
    Question,
}

/// Split a Sigma string at unescaped `*` and `?`. `\*`, `\?` and `\\` are escapes; any
/// other backslash is itself.
fn pieces(value: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut literal = String::new();
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.peek() {
                Some('*') | Some('?') | Some('\\') => {
                    literal.push(chars.next().expect("peeked"));
                }
                _ => literal.push('\\'),
            },
            '*' | '?' => {
                if !literal.is_empty() {
                    out.push(Piece::Literal(std::mem::take(&mut literal)));
                }
                out.push(if c == '*' {
                    Piece::Star
                } else {
                    Piece::Question
                });
            }
            _ => literal.push(c),
        }
    }
    if !literal.is_empty() {
        out.push(Piece::Literal(literal));
    }
    out
}

/// Lower `text` into a reused buffer.
pub(crate) fn lower_into(text: &str, out: &mut String) {
    out.clear();
    lower_append(text, out);
}

/// Append `text` lowered to `out`.
pub(crate) fn lower_append(text: &str, out: &mut String) {
    if text.is_ascii() {
        let start = out.len();
        out.push_str(text);
        // ASCII lowering keeps the bytes valid UTF-8.
        out.as_mut_str()[start..].make_ascii_lowercase();
    } else {
        // ASCII runs in bulk, the other characters one by one (Windows' `®`, `™` and
        // accented user names are few in a long text).
        let mut rest = text;
        while !rest.is_empty() {
            let ascii = rest
                .bytes()
                .position(|b| !b.is_ascii())
                .unwrap_or(rest.len());
            let start = out.len();
            out.push_str(&rest[..ascii]);
            out.as_mut_str()[start..].make_ascii_lowercase();
            let mut chars = rest[ascii..].chars();
            if let Some(c) = chars.next() {
                out.extend(c.to_lowercase());
            }
            rest = chars.as_str();
        }
    }
}

/// Append `text` lowered to `out`, as [`lower_append`] would (the bytes stay valid
/// UTF-8), sixteen bytes at a time where they are ASCII: one pass that checks, lowers and
/// copies, instead of one of each. A chunk with other characters is lowered character
/// by character up to the end of the one that crosses its end, and the chunks go on
/// from there (a `®` in a Windows message costs that one chunk, not the rest).
pub(crate) fn lower_append_bytes(text: &str, out: &mut Vec<u8>) {
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(chunk) = bytes.get(at..at + LANES) {
        let chunk: &[u8; LANES] = chunk.try_into().expect("a whole chunk");
        if lower_ascii(chunk, out) {
            at += LANES;
            continue;
        }
        let mut end = at + LANES;
        while !text.is_char_boundary(end) {
            end += 1;
        }
        lower_chars(&text[at..end], out);
        at = end;
    }
    let rest = &bytes[at..];
    if !rest.is_empty() {
        // The last bytes as two words, with the bytes past them dropped again (a copy of
        // a variable length would cost more than the lowering).
        let chunk = padded(rest);
        let word = |half: &[u8]| u64::from_le_bytes(half.try_into().expect("eight bytes"));
        let (low, high) = (word(&chunk[..8]), word(&chunk[8..]));
        if (low | high) & HIGH_BITS != 0 {
            return lower_chars(&text[at..], out);
        }
        let mut lowered = [0; LANES];
        lowered[..8].copy_from_slice(&lower_word(low).to_le_bytes());
        lowered[8..].copy_from_slice(&lower_word(high).to_le_bytes());
        out.extend_from_slice(&lowered);
        out.truncate(out.len() - (LANES - rest.len()));
    }
}

const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// Lower `bytes` in place in one pass, eight at a time, if they are ASCII; `false`
/// (and `bytes` garbled) if they are not.
pub(crate) fn lower_ascii_in_place(bytes: &mut [u8]) -> bool {
    let mut high = 0;
    let mut words = bytes.chunks_exact_mut(8);
    for chunk in words.by_ref() {
        let word = u64::from_le_bytes((&*chunk).try_into().expect("eight bytes"));
        high |= word;
        chunk.copy_from_slice(&lower_word(word).to_le_bytes());
    }
    let rest = words.into_remainder();
    high |= rest.iter().fold(0, |high, &b| high | u64::from(b));
    rest.make_ascii_lowercase();
    high & HIGH_BITS == 0
}

/// Eight ASCII bytes with their capitals lowered: a byte plus 0x3f has its high bit set
/// from `A` on, plus 0x25 from past `Z` on (no carry leaves a byte below 0x80).
#[inline(always)]
fn lower_word(word: u64) -> u64 {
    const EACH: u64 = 0x0101_0101_0101_0101;
    let from_a = word.wrapping_add(EACH * 0x3f);
    let past_z = word.wrapping_add(EACH * 0x25);
    word | ((from_a ^ past_z) & HIGH_BITS) >> 2
}

const LANES: usize = 16;

/// `chunk` lowered onto `out`, if it is ASCII.
#[inline(always)]
fn lower_ascii(chunk: &[u8; LANES], out: &mut Vec<u8>) -> bool {
    if chunk.iter().fold(0, |high, b| high | b) >= 0x80 {
        return false;
    }
    let mut lowered = [0; LANES];
    for (to, &b) in lowered.iter_mut().zip(chunk) {
        *to = b | u8::from(b.wrapping_sub(b'A') < 26) << 5;
    }
    out.extend_from_slice(&lowered);
    true
}

/// Fewer than [`LANES`] bytes, zero-padded to a chunk with copies of fixed lengths (two
/// that overlap cover any length between one and two times theirs).
#[inline(always)]
fn padded(rest: &[u8]) -> [u8; LANES] {
    let mut chunk = [0; LANES];
    let n = rest.len();
    if n >= 8 {
        chunk[..8].copy_from_slice(&rest[..8]);
        chunk[n - 8..n].copy_from_slice(&rest[n - 8..]);
    } else if n >= 4 {
        chunk[..4].copy_from_slice(&rest[..4]);
        chunk[n - 4..n].copy_from_slice(&rest[n - 4..]);
    } else {
        // One to three bytes: the first, the middle and the last cover them.
        chunk[0] = rest[0];
        chunk[n / 2] = rest[n / 2];
        chunk[n - 1] = rest[n - 1];
    }
    chunk
}

/// `text` lowered onto `out` character by character (a text with non-ASCII ones).
fn lower_chars(text: &str, out: &mut Vec<u8>) {
    let mut buffer = [0; 4];
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase() as u8);
        } else {
            for lowered in c.to_lowercase() {
                out.extend_from_slice(lowered.encode_utf8(&mut buffer).as_bytes());
            }
        }
    }
}

pub(crate) fn lower(text: &str) -> String {
    if text.is_ascii() {
        text.to_ascii_lowercase()
    } else {
        text.to_lowercase()
    }
}

/// A Sigma value (with its wildcards) as a matcher.
#[cfg(test)]
pub(crate) fn wildcard(value: &str, cased: bool) -> Result<StrMatcher, String> {
    wildcard_at(value, cased, Position::Whole)
}

/// A Sigma value (with its wildcards) as a matcher, anchored by `contains`,
/// `startswith` or `endswith`. The wildcards these add are pieces, not text, so a value
/// ending in a backslash (`\Monitors\`) keeps it.
pub(crate) fn wildcard_at(
    value: &str,
    cased: bool,
    position: Position,
) -> Result<StrMatcher, String> {
    let folded;
    let value = if cased {
        value
    } else {
        folded = lower(value);
        &folded
    };
    let mut pieces = pieces(value);
    if matches!(position, Position::End | Position::Anywhere)
        && pieces.first() != Some(&Piece::Star)
    {
        pieces.insert(0, Piece::Star);
    }
    if matches!(position, Position::Start | Position::Anywhere)
        && pieces.last() != Some(&Piece::Star)
    {
        pieces.push(Piece::Star);
    }
    let pattern = match pieces.as_slice() {
        [] => Pattern::Equals("".into()),
        [Piece::Literal(l)] => Pattern::Equals(l.as_str().into()),
        [Piece::Star] => Pattern::Any,
        [Piece::Literal(l), Piece::Star] => Pattern::Prefix(l.as_str().into()),
        [Piece::Star, Piece::Literal(l)] => Pattern::Suffix(l.as_str().into()),
        [Piece::Star, Piece::Literal(l), Piece::Star] => {
            Pattern::Contains(Box::new(memmem::Finder::new(l.as_bytes()).into_owned()))
        }
        _ => {
            let mut source = String::from("(?s)^");
            for piece in &pieces {
                match piece {
                    Piece::Literal(l) => source.push_str(&regex::escape(l)),
                    Piece::Star => source.push_str(".*"),
                    Piece::Question => source.push('.'),
                }
            }
            source.push('$');
            Pattern::Regex(build_regex(&source, false, false, false)?)
        }
    };
    let keys = match pattern {
        Pattern::Regex(_) => pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Literal(l) => Some(l),
                _ => None,
            })
            .max_by_key(|l| l.len())
            .map(|l| l.as_str().into())
            .into_iter()
            .collect(),
        _ => Vec::new(),
    };
    Ok(StrMatcher {
        pattern,
        raw: cased,
        keys,
    })
}

/// A literal (no wildcards), e.g. the output of base64: exact, or inside with `contains`.
pub(crate) fn literal(value: &str, cased: bool, position: Position) -> StrMatcher {
    let needle = if cased {
        value.to_string()
    } else {
        lower(value)
    };
    let pattern = match position {
        Position::Whole => Pattern::Equals(needle.into()),
        Position::Start => Pattern::Prefix(needle.into()),
        Position::End => Pattern::Suffix(needle.into()),
        Position::Anywhere => Pattern::Contains(Box::new(
            memmem::Finder::new(needle.as_bytes()).into_owned(),
        )),
    };
    StrMatcher {
        pattern,
        raw: cased,
        keys: Vec::new(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Position {
    Whole,
    Start,
    End,
    Anywhere,
}

pub(crate) fn build_regex(
    source: &str,
    insensitive: bool,
    multi_line: bool,
    dot_all: bool,
) -> Result<Regex, String> {
    RegexBuilder::new(source)
        .case_insensitive(insensitive)
        .multi_line(multi_line)
        .dot_matches_new_line(dot_all)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| {
            format!(
                "regular expression `{source}`: {}",
                e.to_string().lines().last().unwrap_or("")
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, text: &str) -> bool {
        wildcard(pattern, false)
            .unwrap()
            .is_match(text, &lower(text))
    }

    #[test]
    fn wildcards_choose_fast_paths() {
        assert!(matches!(
            wildcard("*\\whois.exe", false).unwrap().pattern,
            Pattern::Suffix(_)
        ));
        assert!(matches!(
            wildcard("whois*", false).unwrap().pattern,
            Pattern::Prefix(_)
        ));
        assert!(matches!(
            wildcard("*whois*", false).unwrap().pattern,
            Pattern::Contains(_)
        ));
        assert!(matches!(
            wildcard("who?s", false).unwrap().pattern,
            Pattern::Regex(_)
        ));
        assert!(m("*\\WHOIS.exe", "C:\\Tools\\whois.EXE"));
        assert!(m("who?s.exe", "whois.exe"));
        assert!(!m("who?s.exe", "whoiis.exe"));
        assert!(m("a*b*c", "aXXbYYc"));
        assert!(m("*", ""));
    }

    #[test]
    fn escapes_follow_the_specification() {
        // \* is a literal star; \\* is a backslash then a wildcard.
        assert!(m("a\\*b", "a*b"));
        assert!(!m("a\\*b", "aXb"));
        assert!(m("a\\\\*", "a\\anything"));
        assert!(m("C:\\Windows\\\\*", "c:\\windows\\system32"));
        assert!(m("C:\\Windows\\*", "c:\\windows*"));
        assert!(m("\\\\\\\\server", "\\\\server"));
        assert!(m("what\\?", "what?"));
        // A value ending in a backslash keeps it under contains/endswith.
        let ends = wildcard_at("\\Monitors\\", false, Position::Anywhere).unwrap();
        assert!(ends.is_match("x\\Monitors\\y", "x\\monitors\\y"));
        assert!(!ends.is_match("x\\Monitors", "x\\monitors"));
        assert!(!m("what\\?", "whatX"));
    }

    #[test]
    fn cased_compares_raw_text() {
        let cased = wildcard("*Whois*", true).unwrap();
        assert!(cased.is_match("xWhoisx", "xwhoisx"));
        assert!(!cased.is_match("xwhoisx", "xwhoisx"));
    }

    #[test]
    fn unicode_case_folds() {
        assert!(m("*ÄRGER*", "großer ärger"));
    }

    #[test]
    fn lowering_a_mixed_text_lowers_each_character() {
        let mut out = String::from("left over");
        for text in [
            "Microsoft® Windows® Operating System",
            "ÄRGER",
            r"C:\Users\ÉLODIE\Desktop\İ.EXE",
            "®",
            "ΣΑΣ",
            "",
        ] {
            lower_into(text, &mut out);
            let expected: String = text.chars().flat_map(char::to_lowercase).collect();
            assert_eq!(out, expected, "{text}");
        }
    }

    #[test]
    fn ascii_lowered_in_place_as_the_standard_library_does() {
        // Every byte, the ASCII ones lowered in words and in the tail; any other byte
        // anywhere says the text is not ASCII.
        let ascii: Vec<u8> = (0..=0x7f).collect();
        for length in 0..40 {
            for start in 0..ascii.len() {
                let text: Vec<u8> = ascii
                    .iter()
                    .cycle()
                    .skip(start)
                    .take(length)
                    .copied()
                    .collect();
                let mut lowered = text.clone();
                assert!(lower_ascii_in_place(&mut lowered));
                assert_eq!(lowered, text.to_ascii_lowercase(), "{text:?}");
                for at in 0..length {
                    let mut other = text.clone();
                    other[at] = 0x80 | text[at];
                    assert!(!lower_ascii_in_place(&mut other), "{other:?}");
                }
            }
        }
    }

    #[test]
    fn bytes_lowered_in_chunks_are_the_texts_lowered() {
        // Every length around the chunk and word sizes, capitals at every position, the
        // bytes around the letters (`@`, `[`, `` ` ``, `{`), and non-ASCII characters at
        // the start, in the middle of a chunk, and in the tail.
        let alphabet = [
            'A', 'Z', 'a', 'z', '@', '[', '`', '{', '0', '\\', 'Ä', 'ß', '™', '\0',
        ];
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for length in 0..80 {
            for round in 0..40 {
                // A third of the texts ASCII only (the chunked path end to end), a third
                // ASCII but for one character (chunks resumed after it).
                let lone = next() as usize % length.max(1);
                let text: String = (0..length)
                    .map(|i| {
                        let mut pick = next() as usize % alphabet.len();
                        if round % 3 == 1 {
                            while alphabet[pick].is_ascii() != (i != lone) {
                                pick = next() as usize % alphabet.len();
                            }
                        }
                        if round % 3 == 0 && !alphabet[pick].is_ascii() {
                            char::from(b'A' + i as u8 % 26)
                        } else {
                            alphabet[pick]
                        }
                    })
                    .collect();
                let mut out = b"before".to_vec();
                lower_append_bytes(&text, &mut out);
                let mut expected = String::from("before");
                lower_append(&text, &mut expected);
                assert_eq!(out, expected.as_bytes(), "{text:?}");
            }
        }
    }
}

//! The prefilter's key for a `re` value: lowered ASCII texts one of which the lowered
//! event text holds wherever the regular expression matches the text as written.
//!
//! Two sources, the better kept: regex-syntax's prefix literals (`whois\s+-h` →
//! `whois`), and the texts a match must hold somewhere inside, found by walking the
//! expression (`(?i)s.*&&\s?s.*"` → `&&`). Lowering maps each character on its
//! own, so a run of ASCII characters in the text as written stays a run, lowered, in the
//! lowered text. A case-insensitive letter is a class: it counts as one character only
//! when every member lowers to the same ASCII letter (`[Ee]`, `[Kk\u{212A}]`), which
//! `[Ssſ]` does not (`ſ` lowers to itself).

use regex_syntax::hir::{Class, Hir, HirKind};

/// The key texts of a regular expression compiled with these flags (as
/// [`crate::pattern::build_regex`] does); empty when nothing can be said.
pub(crate) fn regex_keys(
    source: &str,
    insensitive: bool,
    multi_line: bool,
    dot_all: bool,
) -> Vec<Box<str>> {
    let parsed = regex_syntax::ParserBuilder::new()
        .case_insensitive(insensitive)
        .multi_line(multi_line)
        .dot_matches_new_line(dot_all)
        .build()
        .parse(source);
    let Ok(hir) = parsed else { return Vec::new() };
    let inner = walk(&hir).texts();
    let prefixes = prefixes(&hir);
    let best = if score(&prefixes) >= score(&inner) {
        prefixes
    } else {
        inner
    };
    let mut out: Vec<Box<str>> = best.into_iter().map(Into::into).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// How selective some key texts are: the length of the shortest (0 for none).
fn score(texts: &[String]) -> usize {
    texts.iter().map(String::len).min().unwrap_or(0)
}

/// regex-syntax's prefix literals, lowered; none when the set is infinite or too
/// large, or a literal is empty or not ASCII.
fn prefixes(hir: &Hir) -> Vec<String> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let seq = Extractor::new().kind(ExtractKind::Prefix).extract(hir);
    let Some(literals) = seq.literals() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for literal in literals {
        match std::str::from_utf8(literal.as_bytes()) {
            Ok(text) if !text.is_empty() && text.is_ascii() => out.push(text.to_ascii_lowercase()),
            _ => return Vec::new(),
        }
    }
    out
}

/// What a part of the expression says about the lowered text where it matches.
enum Part {
    /// Always exactly this lowered ASCII text (empty for a zero-width part).
    Exact(String),
    /// Holds one of these lowered ASCII texts; nothing is known when empty.
    Contains(Vec<String>),
}

impl Part {
    fn texts(self) -> Vec<String> {
        match self {
            Part::Exact(text) if text.is_empty() => Vec::new(),
            Part::Exact(text) => vec![text],
            Part::Contains(texts) => texts,
        }
    }
}

fn walk(hir: &Hir) -> Part {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Part::Exact(String::new()),
        HirKind::Literal(literal) => match std::str::from_utf8(&literal.0) {
            Ok(text) if text.is_ascii() => Part::Exact(text.to_ascii_lowercase()),
            // The longest ASCII run: non-ASCII characters may lower to other lengths.
            _ => Part::Contains(
                literal
                    .0
                    .split(|b| !b.is_ascii())
                    .max_by_key(|run| run.len())
                    .filter(|run| !run.is_empty())
                    .map(|run| String::from_utf8_lossy(run).to_ascii_lowercase())
                    .into_iter()
                    .collect(),
            ),
        },
        HirKind::Class(class) => match one_lowered_letter(class) {
            Some(c) => Part::Exact(c.to_string()),
            None => Part::Contains(Vec::new()),
        },
        HirKind::Repetition(repetition) if repetition.min == 0 => Part::Contains(Vec::new()),
        HirKind::Repetition(repetition) => match (walk(&repetition.sub), repetition.max) {
            (exact @ Part::Exact(_), Some(1)) => exact,
            (part, _) => Part::Contains(part.texts()),
        },
        HirKind::Capture(capture) => walk(&capture.sub),
        HirKind::Concat(items) => concat(items),
        HirKind::Alternation(items) => {
            let mut out = Vec::new();
            for item in items {
                let texts = walk(item).texts();
                if texts.is_empty() {
                    return Part::Contains(Vec::new());
                }
                out.extend(texts);
            }
            Part::Contains(out)
        }
    }
}

/// Adjacent exact parts join into one run; the most selective run or inner key wins.
fn concat(items: &[Hir]) -> Part {
    let mut run = String::new();
    let mut exact = true;
    let mut best: Vec<String> = Vec::new();
    for item in items {
        match walk(item) {
            Part::Exact(text) => run.push_str(&text),
            Part::Contains(texts) => {
                exact = false;
                consider(Part::Exact(std::mem::take(&mut run)).texts(), &mut best);
                consider(texts, &mut best);
            }
        }
    }
    if exact {
        return Part::Exact(run);
    }
    consider(Part::Exact(run).texts(), &mut best);
    Part::Contains(best)
}

/// Keep `texts` as the best key when it is more selective.
fn consider(texts: Vec<String>, best: &mut Vec<String>) {
    if score(&texts) > score(best) {
        *best = texts;
    }
}

/// The ASCII character every member of a small class lowers to, if they all lower to
/// the same one.
fn one_lowered_letter(class: &Class) -> Option<char> {
    let members: Vec<char> = match class {
        Class::Unicode(class) => {
            let mut members = Vec::new();
            for range in class.ranges() {
                if members.len() + (range.end() as usize - range.start() as usize) >= 8 {
                    return None;
                }
                members.extend(range.start()..=range.end());
            }
            members
        }
        Class::Bytes(class) => {
            let mut members = Vec::new();
            for range in class.ranges() {
                if !range.end().is_ascii()
                    || members.len() + (range.end() - range.start()) as usize >= 8
                {
                    return None;
                }
                members.extend((range.start()..=range.end()).map(char::from));
            }
            members
        }
    };
    let mut lowered = members.iter().map(|c| {
        let mut lower = c.to_lowercase();
        match (lower.next(), lower.next()) {
            (Some(l), None) if l.is_ascii() => Some(l),
            _ => None,
        }
    });
    let first = lowered.next()??;
    lowered.all(|l| l == Some(first)).then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(source: &str, insensitive: bool) -> Vec<String> {
        regex_keys(source, insensitive, false, false)
            .into_iter()
            .map(String::from)
            .collect()
    }

    #[test]
    fn prefixes_where_they_are_known() {
        assert_eq!(keys("whois\\s+-h", false), ["whois"]);
        assert_eq!(keys("(WHOIS|rdap)\\.", false), ["rdap.", "whois."]);
        assert_eq!(keys("(?i)echo.*clip", false), ["echo"]);
    }

    #[test]
    fn inner_texts_where_prefixes_say_nothing() {
        // `s` under (?i) also matches `ſ`, which lowers to itself: `set` gives `et`,
        // and the alternation's texts are longer.
        assert_eq!(
            keys(
                "(?i)(set).*&&\\s?set.*(environment|invoke|\\$?\\{?input).*&&.*\"",
                false
            ),
            ["environment", "input", "invoke"]
        );
        assert_eq!(keys("(?i)(s).*&&\\s?s.*\"", false), ["&&"]);
        assert_eq!(keys(".*whois\\.exe", false), ["whois.exe"]);
        // `k` is safe (every case of it lowers to `k`), `s` is not.
        assert_eq!(keys(".*kerberos::", true), ["kerbero"]);
        assert_eq!(
            keys("[a-z]+(\\.arin|\\.ripe)\\.net", false),
            [".arin", ".ripe"]
        );
        assert_eq!(keys(".*(ab|cde)+y", false), ["ab", "cde"]);
    }

    #[test]
    fn nothing_when_a_match_may_hold_no_ascii_text() {
        for source in [".*", "(?i)s.*s", "a?b?", "(abc|.)", "é+", "[^a]?"] {
            assert_eq!(keys(source, false), Vec::<String>::new(), "{source}");
        }
    }
}

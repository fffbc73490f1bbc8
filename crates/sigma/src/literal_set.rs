//! Many literal values on one field, tested at once: exact values in a hash set,
//! substrings in one Aho-Corasick automaton that stops at the first match, prefixes and
//! suffixes in another that looks at every match, over the lowered text. A rule with 500
//! WHOIS server names then costs one hash lookup and one pass over the value instead of
//! 500 comparisons. Only case-insensitive, wildcard-free
//! values qualify; everything else stays a [`ValueTest`] of its own.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use rustc_hash::FxHashSet;

use crate::matcher::ValueTest;
use crate::pattern::Pattern;

/// Fewer literals than this are compared one by one (as fast, and simpler).
pub(crate) const MIN_LITERALS: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anchor {
    Start,
    End,
    Anywhere,
}

#[derive(Debug, Clone)]
pub(crate) struct LiteralSet {
    exact: FxHashSet<Box<str>>,
    /// Substrings: any match will do, so the search stops at the first.
    anywhere: Option<AhoCorasick>,
    /// Prefixes and suffixes: every match is looked at until one sits where it must.
    anchored: Option<AhoCorasick>,
    /// Per `anchored` pattern: whether it must start the text (else end it).
    at_start: Vec<bool>,
    /// Every pattern of both automata.
    needles: Vec<Box<str>>,
}

/// Where a literal must sit, or `None` for an exact value; `None` overall when the test
/// is not a plain case-insensitive literal.
fn literal_of(test: &ValueTest) -> Option<(Option<Anchor>, &str)> {
    let ValueTest::Str(m) = test else { return None };
    if m.raw {
        return None;
    }
    let (anchor, needle) = match &m.pattern {
        Pattern::Equals(s) => (None, s.as_ref()),
        Pattern::Prefix(s) => (Some(Anchor::Start), s.as_ref()),
        Pattern::Suffix(s) => (Some(Anchor::End), s.as_ref()),
        Pattern::Contains(finder) => (
            Some(Anchor::Anywhere),
            std::str::from_utf8(finder.needle()).ok()?,
        ),
        _ => return None,
    };
    (!needle.is_empty()).then_some((anchor, needle))
}

impl LiteralSet {
    /// Move the qualifying tests out of `tests` into a set, when there are enough.
    pub fn extract(tests: &mut Vec<ValueTest>) -> Option<LiteralSet> {
        let literals: Vec<(Option<Anchor>, &str)> = tests.iter().filter_map(literal_of).collect();
        if literals.len() < MIN_LITERALS {
            return None;
        }
        let mut exact = FxHashSet::default();
        let mut anywhere = Vec::new();
        let mut anchored = Vec::new();
        let mut at_start = Vec::new();
        for (anchor, needle) in literals {
            match anchor {
                None => {
                    exact.insert(Box::from(needle));
                }
                Some(Anchor::Anywhere) => anywhere.push(needle),
                Some(anchor) => {
                    anchored.push(needle);
                    at_start.push(anchor == Anchor::Start);
                }
            }
        }
        // A build failure (size limits) keeps the tests as they are.
        let build = |patterns: &[&str], kind: MatchKind| -> Option<Option<AhoCorasick>> {
            if patterns.is_empty() {
                return Some(None);
            }
            let built = AhoCorasickBuilder::new().match_kind(kind).build(patterns);
            built.ok().map(Some)
        };
        let anywhere_automaton = build(&anywhere, MatchKind::LeftmostFirst)?;
        let anchored_automaton = build(&anchored, MatchKind::Standard)?;
        let needles = anywhere
            .iter()
            .chain(&anchored)
            .map(|p| Box::from(*p))
            .collect();
        tests.retain(|test| literal_of(test).is_none());
        Some(LiteralSet {
            exact,
            anywhere: anywhere_automaton,
            anchored: anchored_automaton,
            at_start,
            needles,
        })
    }

    /// Every literal, lowered: a matching value contains one of them.
    pub fn literals(&self) -> impl Iterator<Item = &str> {
        self.exact
            .iter()
            .chain(self.needles.iter())
            .map(|s| s.as_ref())
    }

    /// `lower` is the field's text, lowered.
    pub fn is_match(&self, lower: &str) -> bool {
        if self.exact.contains(lower) {
            return true;
        }
        if self.anywhere.as_ref().is_some_and(|a| a.is_match(lower)) {
            return true;
        }
        let Some(automaton) = &self.anchored else {
            return false;
        };
        automaton.find_overlapping_iter(lower).any(|m| {
            match self.at_start[m.pattern().as_usize()] {
                true => m.start() == 0,
                false => m.end() == lower.len(),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::{literal, lower, Position};

    #[test]
    fn agrees_with_the_tests_one_by_one() {
        let values = [
            ("whois.exe", Position::Whole),
            ("c:\\tools\\", Position::Start),
            ("\\whois64.exe", Position::End),
            (".arin.net", Position::Anywhere),
            ("-h ", Position::Anywhere),
            ("rdap", Position::Start),
            ("43", Position::End),
        ];
        let tests: Vec<ValueTest> = values
            .iter()
            .map(|(v, p)| ValueTest::Str(literal(v, false, *p)))
            .collect();
        let mut extracted = tests.clone();
        let set = LiteralSet::extract(&mut extracted).expect("seven plain literals");
        assert!(extracted.is_empty());
        for text in [
            "whois.exe",
            "WHOIS.EXE -h x",
            "C:\\Tools\\nc.exe",
            "d:\\whois64.exe",
            "d:\\whois64.exe.bak",
            "whois whois.arin.net",
            "rdap.arin.net",
            "x rdap",
            "port 43",
            "43 port",
            "",
            "nothing",
        ] {
            let lowered = lower(text);
            let one_by_one = tests.iter().any(|t| match t {
                ValueTest::Str(m) => m.is_match(text, &lowered),
                _ => unreachable!(),
            });
            assert_eq!(set.is_match(&lowered), one_by_one, "{text}");
        }
    }
}

//! Many literal values on one field, tested at once: exact values in a hash set, and
//! prefixes, suffixes and substrings in one Aho-Corasick automaton over the lowered
//! text. A rule with 500 WHOIS server names then costs one hash lookup and one pass
//! over the value instead of 500 comparisons. Only case-insensitive, wildcard-free
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
    automaton: Option<AhoCorasick>,
    /// Per automaton pattern, where it must sit.
    anchors: Vec<Anchor>,
    /// The automaton's patterns.
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
        let mut patterns = Vec::new();
        let mut anchors = Vec::new();
        for (anchor, needle) in literals {
            match anchor {
                None => {
                    exact.insert(Box::from(needle));
                }
                Some(anchor) => {
                    patterns.push(needle);
                    anchors.push(anchor);
                }
            }
        }
        let automaton = match patterns.is_empty() {
            true => None,
            // A build failure (size limits) keeps the tests as they are.
            false => Some(
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::Standard)
                    .build(&patterns)
                    .ok()?,
            ),
        };
        let needles = patterns.iter().map(|p| Box::from(*p)).collect();
        tests.retain(|test| literal_of(test).is_none());
        Some(LiteralSet {
            exact,
            automaton,
            anchors,
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
        let Some(automaton) = &self.automaton else {
            return false;
        };
        automaton
            .find_overlapping_iter(lower)
            .any(|m| match self.anchors[m.pattern().as_usize()] {
                Anchor::Anywhere => true,
                Anchor::Start => m.start() == 0,
                Anchor::End => m.end() == lower.len(),
            })
    }
}

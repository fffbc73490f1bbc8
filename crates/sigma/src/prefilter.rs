//! Which rules can match an event at all, found with one pass per field instead of one
//! per rule.
//!
//! Each rule yields, where it can, a *requirement*: texts of which at least one must
//! occur in a field's lowered text (or, for keyword searches, in any of the event's
//! texts) for the rule to match — a selection's literals, the best-keyed child of an
//! `and`, the union over an `or`. Per log source, one [`Search`] per field holds every
//! rule's texts on that field (a SIMD pre-search for a few texts, a [`GramIndex`] for
//! many); an event's field text is searched once (keyword texts: all of the event's
//! texts at once, joined), and only the rules whose texts occurred (and the rules
//! without a requirement: negations, numbers, CIDR, `re` values without key texts,
//! `exists`) are evaluated. A requirement only ever leaves out
//! rules that cannot match: `fast_and_slow_paths_agree_on_sigmahq` runs SigmaHQ's data
//! with and without it.

use aho_corasick::{packed, Span};
use rustc_hash::FxHashMap;

use crate::gram_index::GramIndex;
use crate::matcher::{Context, FieldMatch, Node, ValueTest};

/// The slot number that stands for "any text of the event" (keyword searches).
const ANY_FIELD: u32 = u32::MAX;

/// At least one of these (slot, lowered text) must occur.
type Requirement = Vec<(u32, Box<str>)>;

fn field_requirement(field: &FieldMatch) -> Option<Requirement> {
    if field.negate || field.exists.is_some() {
        return None;
    }
    let texts = |test: &ValueTest| -> Option<Vec<Box<str>>> {
        match test {
            ValueTest::Str(m) => m.required(),
            _ => None,
        }
    };
    if field.all {
        // Every test must hold: any one of them is required; take the most selective.
        return field
            .tests
            .iter()
            .filter_map(texts)
            .max_by_key(|alternatives| shortest(alternatives))
            .map(|alternatives| alternatives.into_iter().map(|t| (field.slot, t)).collect());
    }
    let mut out = Vec::new();
    for test in &field.tests {
        out.extend(texts(test)?.into_iter().map(|t| (field.slot, t)));
    }
    if let Some(set) = &field.set {
        for literal in set.literals() {
            if literal.is_empty() || !literal.is_ascii() {
                return None;
            }
            out.push((field.slot, literal.into()));
        }
    }
    Some(out)
}

/// The length of the shortest of some texts.
fn shortest(texts: &[Box<str>]) -> usize {
    texts.iter().map(|t| t.len()).min().unwrap_or(usize::MAX)
}

/// How selective a requirement is: its shortest text (longer is rarer), then fewer.
fn score(requirement: &Requirement) -> (usize, std::cmp::Reverse<usize>) {
    let shortest = requirement
        .iter()
        .map(|(_, t)| t.len())
        .min()
        .unwrap_or(usize::MAX);
    (shortest, std::cmp::Reverse(requirement.len()))
}

pub(crate) fn requirement(node: &Node) -> Option<Requirement> {
    match node {
        Node::Field(field) => field_requirement(field),
        Node::Keywords { tests, all } => {
            let texts: Vec<Box<str>> = if *all {
                // Every keyword must occur: the most selective one is enough to key on.
                tests
                    .iter()
                    .filter_map(|m| m.required())
                    .max_by_key(|alternatives| shortest(alternatives))?
            } else {
                let alternatives: Vec<Vec<Box<str>>> =
                    tests.iter().map(|m| m.required()).collect::<Option<_>>()?;
                alternatives.concat()
            };
            Some(texts.into_iter().map(|t| (ANY_FIELD, t)).collect())
        }
        Node::And(items) => items.iter().filter_map(requirement).max_by_key(score),
        Node::Or(items) => {
            let mut out = Vec::new();
            for item in items {
                out.extend(requirement(item)?);
            }
            Some(out)
        }
        Node::Not(_) => None,
        Node::Const(true) => None,
        // Never matches: nothing can key it, and nothing needs to.
        Node::Const(false) => Some(Vec::new()),
    }
}

/// A file name keyed on has at least this many bytes; shorter ones keep their path.
const NAME_MIN: usize = 8;

/// The part of a required text that is searched for: after its last path separator
/// when at least [`NAME_MIN`] bytes follow it (`c:\windows\system32\ntdll.dll+` →
/// `ntdll.dll+`), else all of it. Any part of a required text is required too, so this
/// leaves out no rule that can match; and the pre-search (Teddy) stops wherever the
/// first bytes of a text occur. Paths share their first components (`c:\windows\`):
/// keyed on whole paths it stopped at every frame of a Sysmon 10 call trace and at most
/// components of every path, and verified each stop; keyed on file names, the SigmaHQ
/// benchmark spends 5 % fewer instructions per event (BENCHMARKS.md, session 15).
fn keyed_part(text: Box<str>) -> Box<str> {
    match text.rfind(['\\', '/']) {
        Some(at) if text.len() - at > NAME_MIN => text[at + 1..].into(),
        _ => text,
    }
}

/// Up to this many texts, a SIMD pre-search (Teddy) skips texts that hold none of them
/// faster than a [`GramIndex`] can.
const PACKED_MAX: usize = 64;

/// Texts shorter than this cost a [`GramIndex`] a lookup at every position of the
/// searched text; longer ones a lookup every few positions.
const SHORT: usize = 8;

/// One way of finding texts.
enum Finder {
    /// A SIMD pre-search (Teddy) for the leftmost text from a position; where it stops,
    /// every text starting there is compared, and the search goes on one byte further.
    Packed(Packed),
    Grams(GramIndex),
}

struct Packed {
    searcher: packed::Searcher,
    texts: Vec<Box<[u8]>>,
    /// The numbers of the texts, by their first byte ...
    order: Vec<u32>,
    /// ... texts starting with byte `b` at `order[starts[b]..starts[b + 1]]`.
    starts: Box<[u32; 257]>,
}

impl Packed {
    fn new(texts: &[&[u8]]) -> Option<Packed> {
        if texts.iter().any(|t| t.is_empty()) {
            return None;
        }
        let searcher = packed::Config::new()
            .builder()
            .extend(texts.iter().copied())
            .build()?;
        let mut order: Vec<u32> = (0..texts.len() as u32).collect();
        order.sort_by_key(|&i| texts[i as usize][0]);
        let mut starts = Box::new([0u32; 257]);
        for &i in &order {
            starts[texts[i as usize][0] as usize + 1] += 1;
        }
        for b in 0..256 {
            starts[b + 1] += starts[b];
        }
        Some(Packed {
            searcher,
            texts: texts.iter().map(|t| Box::from(*t)).collect(),
            order,
            starts,
        })
    }

    fn for_each_match(&self, haystack: &[u8], mut found: impl FnMut(usize)) {
        let mut at = 0;
        while at < haystack.len() {
            let Some(m) = self
                .searcher
                .find_in(haystack, Span::from(at..haystack.len()))
            else {
                return;
            };
            let rest = &haystack[m.start()..];
            let first = rest[0] as usize;
            for &i in &self.order[self.starts[first] as usize..self.starts[first + 1] as usize] {
                if rest.starts_with(&self.texts[i as usize]) {
                    found(i as usize);
                }
            }
            at = m.start() + 1;
        }
    }
}

impl Finder {
    fn new(texts: &[&[u8]]) -> Finder {
        if texts.len() <= PACKED_MAX {
            // Without SIMD support: the gram index.
            if let Some(packed) = Packed::new(texts) {
                return Finder::Packed(packed);
            }
        }
        Finder::Grams(GramIndex::new(texts.iter().copied()))
    }

    /// Call `found` with the number of each text that occurs in `haystack` (a text may
    /// be reported more than once).
    fn for_each_match(&self, haystack: &[u8], found: impl FnMut(usize)) {
        match self {
            Finder::Packed(packed) => packed.for_each_match(haystack, found),
            Finder::Grams(index) => index.for_each_match(haystack, found),
        }
    }
}

/// How one field's texts are found: by one finder, or, past [`PACKED_MAX`] texts of
/// which at most that many are short, the short ones by a SIMD pre-search and the long
/// ones by a gram index that looks at every fifth position or fewer (PowerShell module
/// payloads of 5–25 KB against some 250 texts, all but a few long). Each finder has the
/// field's numbers of its texts.
struct Search {
    parts: Vec<(Finder, Vec<u32>)>,
}

impl Search {
    fn new(texts: &[&[u8]]) -> Search {
        let all = || (0..texts.len() as u32).collect::<Vec<u32>>();
        if texts.len() <= PACKED_MAX {
            return Search {
                parts: vec![(Finder::new(texts), all())],
            };
        }
        let (short, long): (Vec<u32>, Vec<u32>) =
            (0..texts.len() as u32).partition(|&i| texts[i as usize].len() < SHORT);
        if short.is_empty() || short.len() > PACKED_MAX {
            return Search {
                parts: vec![(Finder::Grams(GramIndex::new(texts.iter().copied())), all())],
            };
        }
        let pick = |numbers: &[u32]| -> Vec<&[u8]> {
            numbers.iter().map(|&i| texts[i as usize]).collect()
        };
        let short_finder = Finder::new(&pick(&short));
        let long_finder = Finder::Grams(GramIndex::new(pick(&long)));
        Search {
            parts: vec![(short_finder, short), (long_finder, long)],
        }
    }

    /// Call `found` with the number of each text that occurs in `haystack`.
    fn for_each_match(&self, haystack: &[u8], mut found: impl FnMut(usize)) {
        for (finder, numbers) in &self.parts {
            finder.for_each_match(haystack, |i| found(numbers[i] as usize));
        }
    }
}

/// One field's texts: text → the rules (positions in the log source's list).
struct FieldIndex {
    slot: u32,
    /// For keyword searches: whether no text holds the separator of
    /// [`crate::view::FieldCache::all_joined`], so all of an event's texts are searched
    /// at once.
    joined: bool,
    search: Search,
    rules: Vec<Vec<u32>>,
}

/// The rules of a log source's list that can match an event: one bit per position.
#[derive(Default)]
pub(crate) struct Candidates {
    words: Vec<u64>,
}

impl Candidates {
    fn mark(&mut self, position: u32) {
        self.words[(position >> 6) as usize] |= 1 << (position & 63);
    }

    /// The marked positions, in increasing order.
    pub fn positions(&self) -> impl Iterator<Item = u32> + '_ {
        self.words.iter().enumerate().flat_map(|(i, &word)| {
            let mut rest = word;
            std::iter::from_fn(move || {
                (rest != 0).then(|| {
                    let bit = rest.trailing_zeros();
                    rest &= rest - 1;
                    (i as u32) * 64 + bit
                })
            })
        })
    }
}

/// The prefilter of one log source's rule list.
pub(crate) struct Prefilter {
    /// The rules evaluated whatever the event holds, marked.
    always: Candidates,
    fields: Vec<FieldIndex>,
}

impl Prefilter {
    /// `nodes`: the detection of each rule of the list, in list order.
    pub fn new<'a>(nodes: impl Iterator<Item = &'a Node>) -> Prefilter {
        let mut always = Vec::new();
        let mut by_slot: FxHashMap<u32, FxHashMap<Box<str>, Vec<u32>>> = FxHashMap::default();
        let mut rules = 0usize;
        for (position, node) in nodes.enumerate() {
            rules += 1;
            match requirement(node) {
                None => always.push(position as u32),
                Some(requirement) => {
                    for (slot, text) in requirement {
                        let text = keyed_part(text);
                        let users = by_slot.entry(slot).or_default().entry(text).or_default();
                        if users.last() != Some(&(position as u32)) {
                            users.push(position as u32);
                        }
                    }
                }
            }
        }
        // Keyword texts first: a long field text lowered for them is not lowered again.
        let mut slots: Vec<u32> = by_slot.keys().copied().collect();
        slots.sort_unstable_by_key(|&slot| (slot != ANY_FIELD, slot));
        let mut fields = Vec::new();
        for slot in slots {
            let mut texts: Vec<(Box<str>, Vec<u32>)> =
                by_slot.remove(&slot).expect("key").into_iter().collect();
            texts.sort();
            let joined = slot == ANY_FIELD
                && !texts
                    .iter()
                    .any(|(t, _)| t.as_bytes().contains(&crate::view::SEPARATOR));
            fields.push(FieldIndex {
                slot,
                joined,
                search: Search::new(&texts.iter().map(|(t, _)| t.as_bytes()).collect::<Vec<_>>()),
                rules: texts.into_iter().map(|(_, r)| r).collect(),
            });
        }
        let mut marked = Candidates {
            words: vec![0; rules.div_ceil(64)],
        };
        for position in always {
            marked.mark(position);
        }
        Prefilter {
            always: marked,
            fields,
        }
    }

    /// Mark in `candidates` (of the rules of the list) the rules that can match.
    pub fn candidates(&self, ctx: &mut Context<'_>, candidates: &mut Candidates) {
        candidates.words.clone_from(&self.always.words);
        for field in &self.fields {
            let mut mark = |text: usize| {
                for &position in &field.rules[text] {
                    candidates.mark(position);
                }
            };
            if field.joined {
                let joined = ctx.cache.all_joined(ctx.event);
                field.search.for_each_match(joined, &mut mark);
                continue;
            }
            let texts = if field.slot == ANY_FIELD {
                ctx.cache.all_lowered(ctx.event)
            } else {
                let slot_field = &ctx.fields[field.slot as usize];
                ctx.cache.lowered(field.slot, slot_field, ctx.event)
            };
            for lower in texts {
                field.search.for_each_match(lower.as_bytes(), &mut mark);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::RuleKind;
    use crate::compile::Compiler;
    use crate::parse::parse_rules;

    /// The requirement of a rule with this detection body, as (field, text) pairs.
    fn required(detection: &str) -> Option<Vec<(String, String)>> {
        let yaml = format!("title: t\nlogsource: {{}}\ndetection:\n{detection}\n");
        let rule = parse_rules("t.yml", &yaml).remove(0).unwrap();
        let RuleKind::Detection(d) = &rule.kind else {
            panic!()
        };
        let mut compiler = Compiler::default();
        let node = compiler.detection(d).unwrap();
        let name = |slot: u32| match slot {
            ANY_FIELD => "*".to_string(),
            s => compiler.fields[s as usize].resolved.as_str().to_string(),
        };
        requirement(&node).map(|r| {
            let mut r: Vec<(String, String)> = r
                .into_iter()
                .map(|(s, t)| (name(s), t.to_string()))
                .collect();
            r.sort();
            r
        })
    }

    #[test]
    fn searches_agree_with_a_plain_search_on_generated_texts() {
        // Few texts (the SIMD pre-search), many with few short ones (pre-search and gram
        // index), many short ones (gram index alone); texts overlap and share starts.
        use crate::generated_texts::{distinct, naive, Generator};
        let mut generate = Generator::new();
        for round in 0..120 {
            let count = [1, 3, 17, 64, 65, 90, 140][round % 7];
            let texts: Vec<String> = (0..count)
                .map(|i| {
                    let short = round % 3 == 0 || i % 9 == 0;
                    generate.word(if short {
                        1 + i % 7
                    } else {
                        8 + (i + round) % 23
                    })
                })
                .collect();
            let refs: Vec<&str> = texts.iter().map(|t| t.as_str()).collect();
            let search = Search::new(&refs.iter().map(|t| t.as_bytes()).collect::<Vec<_>>());
            for gap in [0, 1, 5, 13, 40, 200] {
                let haystack = generate.haystack(&refs, gap);
                let mut found = Vec::new();
                search.for_each_match(haystack.as_bytes(), |t| found.push(t));
                assert_eq!(
                    distinct(found),
                    naive(&refs, &haystack),
                    "{refs:?} in {haystack:?}"
                );
            }
        }
    }

    fn pairs(items: &[(&str, &str)]) -> Option<Vec<(String, String)>> {
        Some(
            items
                .iter()
                .map(|(f, t)| (f.to_string(), t.to_string()))
                .collect(),
        )
    }

    #[test]
    fn requirements_follow_the_condition() {
        // A selection's values: any one of them.
        assert_eq!(
            required("  sel:\n    Image|endswith: ['\\whois.exe', '\\nc.exe']\n  condition: sel"),
            pairs(&[("image", "\\nc.exe"), ("image", "\\whois.exe")])
        );
        // and: the more selective side; or: both sides; not: nothing to key on.
        let and = "  a:\n    Image|endswith: '\\whois64.exe'\n  b:\n    CommandLine|contains: ' -h'\n  condition: a and b";
        assert_eq!(required(and), pairs(&[("image", "\\whois64.exe")]));
        let or = "  a:\n    Image|endswith: '\\whois.exe'\n  b:\n    CommandLine|contains: 'rdap'\n  condition: a or b";
        assert_eq!(
            required(or),
            pairs(&[("commandline", "rdap"), ("image", "\\whois.exe")])
        );
        assert_eq!(required("  a:\n    Image: x\n  condition: not a"), None);
        // `all`: the longest value is enough; a cased value keys on its lowered text.
        assert_eq!(
            required(
                "  sel:\n    CommandLine|contains|all: ['-h', 'whois.arin']\n  condition: sel"
            ),
            pairs(&[("commandline", "whois.arin")])
        );
        assert_eq!(
            required("  sel:\n    CommandLine|contains|cased: 'TcpClient'\n  condition: sel"),
            pairs(&[("commandline", "tcpclient")])
        );
        // Wildcards in the middle: the longest literal piece.
        assert_eq!(
            required("  sel:\n    CommandLine: '*whois*-h *.arin.net*'\n  condition: sel"),
            pairs(&[("commandline", ".arin.net")])
        );
        // A regular expression keys on the texts its matches start with, lowered; with
        // `(?i)`, only where every case of it is ASCII (`s` also matches `ſ`).
        assert_eq!(
            required("  sel:\n    CommandLine|re: 'whois\\s+-h'\n  condition: sel"),
            pairs(&[("commandline", "whois")])
        );
        assert_eq!(
            required("  sel:\n    CommandLine|re: '(WHOIS|rdap)\\.'\n  condition: sel"),
            pairs(&[("commandline", "rdap."), ("commandline", "whois.")])
        );
        assert_eq!(
            required("  sel:\n    CommandLine|re: '(?i)echo.*clip'\n  condition: sel"),
            pairs(&[("commandline", "echo")])
        );
        // Keywords key on any text.
        assert_eq!(
            required("  kw:\n    - 'whois.iana.org'\n  condition: kw"),
            pairs(&[("*", "whois.iana.org")])
        );
    }

    #[test]
    fn paths_are_keyed_on_their_file_names() {
        let keyed = |text: &str| keyed_part(text.into()).to_string();
        assert_eq!(keyed("c:\\windows\\system32\\ntdll.dll+"), "ntdll.dll+");
        assert_eq!(
            keyed("|c:\\windows\\system32\\kernelbase.dll+"),
            "kernelbase.dll+"
        );
        assert_eq!(keyed("/usr/bin/whois-client"), "whois-client");
        // Short names keep their path (`\cmd.exe` is rarer than `cmd.exe`); a text
        // ending in a separator, or without one, is kept whole.
        assert_eq!(keyed("\\system32\\cmd.exe"), "\\system32\\cmd.exe");
        assert_eq!(
            keyed("\\appdata\\local\\temp\\"),
            "\\appdata\\local\\temp\\"
        );
        assert_eq!(keyed("kerberos::golden"), "kerberos::golden");
        // Always a part of the text, so whatever holds the text holds it.
        let texts = [
            "a\\b/c\\dddddddd",
            "\\\\\\\\",
            "x/yyyyyyyyy/",
            "/12345678",
            "é\\ü12345678",
        ];
        for text in texts {
            assert!(text.contains(&keyed(text)), "{text}");
        }
    }

    #[test]
    fn what_cannot_be_keyed_is_always_evaluated() {
        for detection in [
            "  sel:\n    Initiated|neq: 'false'\n  condition: sel",
            "  sel:\n    CommandLine|re: '.*'\n  condition: sel",
            "  sel:\n    CommandLine|re: '(?i)s.*s'\n  condition: sel",
            "  sel:\n    DestinationIp|cidr: 10.0.0.0/8\n  condition: sel",
            "  sel:\n    ParentImage|exists: false\n  condition: sel",
            "  sel:\n    CommandLine: '*'\n  condition: sel",
            "  sel:\n    ParentImage: ''\n  condition: sel",
            "  sel:\n    Image|endswith: '\\wHöis.exe'\n  condition: sel",
        ] {
            assert_eq!(required(detection), None, "{detection}");
        }
    }
}

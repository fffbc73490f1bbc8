//! From a parsed detection to a [`Node`] tree: modifiers applied in the order written,
//! values transformed (windash, expand, UTF-16, Base64) and then turned into typed tests;
//! field names mapped and resolved to slots once.

use rustc_hash::FxHashMap;

use crate::ast::{Comparison, Detection, FieldTest, Search, SigmaValue};
use crate::condition::{pattern_matches, Condition, Quantifier};
use crate::literal_set::LiteralSet;
use crate::matcher::{FieldMatch, Network, Node, TimePart, ValueTest};
use crate::modifier::Modifier;
use crate::pattern::{build_regex, literal, wildcard_at, Position};
use crate::regex_keys::regex_keys;
use crate::view::SlotField;

/// Field names and placeholder values shared by every rule of a set.
#[derive(Default)]
pub(crate) struct Compiler {
    /// Sigma field name → the name to resolve (data, see [`crate::FieldMapping`]).
    pub mapping: FxHashMap<String, String>,
    pub placeholders: FxHashMap<String, Vec<String>>,
    pub slots: FxHashMap<SlotField, u32>,
    pub fields: Vec<SlotField>,
    /// Compare each literal on its own instead of in literal sets (to compare paths).
    pub slow_path: bool,
}

impl Compiler {
    pub fn slot(&mut self, sigma_field: &str) -> u32 {
        let mapped = self
            .mapping
            .get(sigma_field)
            .map(String::as_str)
            .unwrap_or(sigma_field);
        let name = SlotField::new(mapped);
        if let Some(slot) = self.slots.get(&name) {
            return *slot;
        }
        let slot = self.fields.len() as u32;
        self.fields.push(name.clone());
        self.slots.insert(name, slot);
        slot
    }

    pub fn detection(&mut self, detection: &Detection) -> Result<Node, String> {
        let mut searches: Vec<(&str, Node)> = Vec::new();
        for (name, search) in &detection.searches {
            let node = self
                .search(search)
                .map_err(|e| format!("search `{name}`: {e}"))?;
            searches.push((name, node));
        }
        let mut alternatives = Vec::new();
        for condition in &detection.conditions {
            alternatives.push(resolve_condition(condition, &searches)?);
        }
        Ok(if alternatives.len() == 1 {
            alternatives.pop().expect("one")
        } else {
            Node::Or(alternatives)
        })
    }

    fn search(&mut self, search: &Search) -> Result<Node, String> {
        Ok(match search {
            Search::AllOf(tests) => Node::And(
                tests
                    .iter()
                    .map(|t| self.field_test(t))
                    .collect::<Result<_, _>>()?,
            ),
            Search::AnyOf(items) => Node::Or(
                items
                    .iter()
                    .map(|s| self.search(s))
                    .collect::<Result<_, _>>()?,
            ),
            Search::Keywords(test) => self.field_test(test)?,
        })
    }

    fn field_test(&mut self, test: &FieldTest) -> Result<Node, String> {
        let has = |m: Modifier| test.modifiers.contains(&m);
        let all = has(Modifier::All);
        let Some(field) = &test.field else {
            let tests = test
                .values
                .iter()
                .map(|v| self.strings(v, &test.modifiers, true))
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .flatten()
                .filter_map(|t| match t {
                    ValueTest::Str(m) => Some(m),
                    _ => None,
                })
                .collect();
            return Ok(Node::Keywords { tests, all });
        };
        let slot = self.slot(field);
        if has(Modifier::Exists) {
            let expected = match test.values.as_slice() {
                [SigmaValue::Bool(b)] => *b,
                [SigmaValue::String(s)] if s.eq_ignore_ascii_case("true") => true,
                [SigmaValue::String(s)] if s.eq_ignore_ascii_case("false") => false,
                _ => return Err(format!("`{field}|exists` takes true or false")),
            };
            return Ok(Node::Field(FieldMatch {
                slot,
                tests: Vec::new(),
                all: false,
                negate: false,
                exists: Some(expected),
                set: None,
            }));
        }
        let mut tests = Vec::new();
        for value in &test.values {
            let expanded = self.value_tests(field, value, &test.modifiers)?;
            if all && expanded.len() > 1 {
                // One written value that became several (windash, base64offset): any
                // of them stands for that value.
                return self.all_with_alternatives(field, slot, test);
            }
            tests.extend(expanded);
        }
        let set = match all || self.slow_path {
            true => None,
            false => LiteralSet::extract(&mut tests).map(Box::new),
        };
        Ok(Node::Field(FieldMatch {
            slot,
            tests,
            all,
            negate: has(Modifier::Neq),
            exists: None,
            set,
        }))
    }

    /// `all` where some values expanded to alternatives: AND over values of OR over
    /// each value's alternatives.
    fn all_with_alternatives(
        &mut self,
        field: &str,
        slot: u32,
        test: &FieldTest,
    ) -> Result<Node, String> {
        let mut per_value = Vec::new();
        for value in &test.values {
            let alternatives = self.value_tests(field, value, &test.modifiers)?;
            per_value.push(Node::Field(FieldMatch {
                slot,
                tests: alternatives,
                all: false,
                negate: false,
                exists: None,
                set: None,
            }));
        }
        let node = Node::And(per_value);
        Ok(if test.modifiers.contains(&Modifier::Neq) {
            Node::Not(Box::new(node))
        } else {
            node
        })
    }

    fn value_tests(
        &mut self,
        field: &str,
        value: &SigmaValue,
        modifiers: &[Modifier],
    ) -> Result<Vec<ValueTest>, String> {
        let has = |m: Modifier| modifiers.contains(&m);
        if *value == SigmaValue::Null {
            return Ok(vec![ValueTest::Null]);
        }
        if has(Modifier::FieldRef) {
            let SigmaValue::String(other) = value else {
                return Err(format!("`{field}|fieldref` takes a field name"));
            };
            let slot = self.slot(other);
            return Ok(vec![ValueTest::FieldRef {
                slot,
                cased: has(Modifier::Cased),
            }]);
        }
        let comparison = modifiers.iter().find_map(|m| {
            Some(match m {
                Modifier::Lt => Comparison::Lt,
                Modifier::Lte => Comparison::Lte,
                Modifier::Gt => Comparison::Gt,
                Modifier::Gte => Comparison::Gte,
                _ => return None,
            })
        });
        let part = modifiers.iter().find_map(|m| {
            Some(match m {
                Modifier::Minute => TimePart::Minute,
                Modifier::Hour => TimePart::Hour,
                Modifier::Day => TimePart::Day,
                Modifier::Week => TimePart::Week,
                Modifier::Month => TimePart::Month,
                Modifier::Year => TimePart::Year,
                _ => return None,
            })
        });
        if let Some(part) = part {
            let n = number(value).ok_or(format!("`{field}` time part needs a number"))?;
            return Ok(vec![ValueTest::TimePart(
                part,
                comparison.unwrap_or(Comparison::Eq),
                n,
            )]);
        }
        if let Some(comparison) = comparison {
            let n = number(value).ok_or(format!("`{field}` comparison needs a number"))?;
            return Ok(vec![ValueTest::Number(comparison, n)]);
        }
        if has(Modifier::Cidr) {
            let text = text_of(value);
            let network = Network::parse(&text).ok_or(format!("`{text}` is not a CIDR network"))?;
            return Ok(vec![ValueTest::Cidr(network)]);
        }
        self.strings(value, modifiers, false)
    }

    /// The string path: placeholders, windash, encodings, then position and wildcards.
    fn strings(
        &mut self,
        value: &SigmaValue,
        modifiers: &[Modifier],
        keyword: bool,
    ) -> Result<Vec<ValueTest>, String> {
        let has = |m: Modifier| modifiers.contains(&m);
        let cased = has(Modifier::Cased);
        let text = text_of(value);
        if has(Modifier::Re) {
            let (insensitive, multi_line, dot_all) = (
                has(Modifier::ReInsensitive),
                has(Modifier::ReMultiLine),
                has(Modifier::ReDotAll),
            );
            let regex = build_regex(&text, insensitive, multi_line, dot_all)?;
            return Ok(vec![ValueTest::Str(crate::pattern::StrMatcher {
                pattern: crate::pattern::Pattern::Regex(regex),
                raw: true,
                keys: regex_keys(&text, insensitive, multi_line, dot_all),
            })]);
        }
        let mut values = vec![text];
        if has(Modifier::Expand) {
            values = values
                .iter()
                .map(|v| self.expand(v))
                .collect::<Result<Vec<_>, _>>()?
                .concat();
        }
        if has(Modifier::Windash) {
            values = values.iter().flat_map(|v| windash(v)).collect();
        }
        let position = if has(Modifier::Contains)
            || keyword && !has(Modifier::StartsWith) && !has(Modifier::EndsWith)
        {
            Position::Anywhere
        } else if has(Modifier::StartsWith) {
            Position::Start
        } else if has(Modifier::EndsWith) {
            Position::End
        } else {
            Position::Whole
        };
        let encoding = modifiers.iter().find_map(|m| match m {
            Modifier::Utf16Le => Some(Utf16::LittleEndian),
            Modifier::Utf16Be => Some(Utf16::BigEndian),
            Modifier::Utf16 => Some(Utf16::WithByteOrderMark),
            _ => None,
        });
        let base64 = has(Modifier::Base64);
        let base64_offset = has(Modifier::Base64Offset);
        let mut tests = Vec::new();
        for value in values {
            if base64 || base64_offset {
                let bytes = encode(&value, encoding);
                let variants: Vec<String> = if base64_offset {
                    base64_offsets(&bytes)
                } else {
                    vec![base64_encode(&bytes)]
                };
                // Base64 text is compared as written: its letters' case is meaning.
                let position = if base64_offset {
                    Position::Anywhere
                } else {
                    position
                };
                for variant in variants {
                    tests.push(ValueTest::Str(literal(&variant, true, position)));
                }
                continue;
            }
            if encoding.is_some() {
                // UTF-16 without base64: the field would hold raw UTF-16; our fields are text.
                let text = String::from_utf8_lossy(&encode(&value, encoding)).into_owned();
                tests.push(ValueTest::Str(literal(&text, cased, position)));
                continue;
            }
            tests.push(ValueTest::Str(wildcard_at(&value, cased, position)?));
        }
        Ok(tests)
    }

    /// `%name%` placeholders → every combination of the user's values.
    fn expand(&self, value: &str) -> Result<Vec<String>, String> {
        let mut results = vec![String::new()];
        let mut rest = value;
        while let Some(start) = rest.find('%') {
            if start > 0 && rest[..start].ends_with('\\') {
                for r in &mut results {
                    r.push_str(&rest[..start - 1]);
                    r.push('%');
                }
                rest = &rest[start + 1..];
                continue;
            }
            let Some(len) = rest[start + 1..].find('%') else {
                break;
            };
            let name = &rest[start + 1..start + 1 + len];
            let values = self
                .placeholders
                .get(name)
                .or_else(|| self.placeholders.get(&name.to_ascii_lowercase()))
                .ok_or(format!(
                    "placeholder %{name}% has no values (give them with --placeholder {name}=FILE)"
                ))?;
            let prefix = &rest[..start];
            results = results
                .iter()
                .flat_map(|r| values.iter().map(move |v| format!("{r}{prefix}{v}")))
                .collect();
            rest = &rest[start + 2 + len..];
        }
        for r in &mut results {
            r.push_str(rest);
        }
        Ok(results)
    }
}

fn number(value: &SigmaValue) -> Option<f64> {
    match value {
        SigmaValue::Integer(n) => Some(*n as f64),
        SigmaValue::Float(f) => Some(*f),
        SigmaValue::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn text_of(value: &SigmaValue) -> String {
    match value {
        SigmaValue::String(s) => s.clone(),
        SigmaValue::Integer(n) => n.to_string(),
        SigmaValue::Float(f) => f.to_string(),
        SigmaValue::Bool(b) => b.to_string(),
        SigmaValue::Null => String::new(),
    }
}

const DASHES: [char; 5] = ['-', '/', '\u{2013}', '\u{2014}', '\u{2015}'];

/// Every way of writing the value's dashes and slashes: all combinations when there are
/// few, else each dash kind throughout.
fn windash(value: &str) -> Vec<String> {
    let positions: Vec<usize> = value
        .char_indices()
        .filter(|(_, c)| *c == '-' || *c == '/')
        .map(|(i, _)| i)
        .collect();
    if positions.is_empty() {
        return vec![value.to_string()];
    }
    if positions.len() > 3 {
        return DASHES
            .iter()
            .map(|d| {
                value
                    .chars()
                    .map(|c| if c == '-' || c == '/' { *d } else { c })
                    .collect()
            })
            .collect();
    }
    let mut out = vec![String::new()];
    let mut last = 0;
    for &p in &positions {
        let segment = &value[last..p];
        out = out
            .iter()
            .flat_map(|o| DASHES.iter().map(move |d| format!("{o}{segment}{d}")))
            .collect();
        last = p + 1;
    }
    for o in &mut out {
        o.push_str(&value[last..]);
    }
    out
}

#[derive(Clone, Copy)]
enum Utf16 {
    LittleEndian,
    BigEndian,
    WithByteOrderMark,
}

fn encode(value: &str, encoding: Option<Utf16>) -> Vec<u8> {
    match encoding {
        None => value.as_bytes().to_vec(),
        Some(Utf16::LittleEndian) => value.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        Some(Utf16::BigEndian) => value.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        Some(Utf16::WithByteOrderMark) => [0xFF, 0xFE]
            .into_iter()
            .chain(value.encode_utf16().flat_map(u16::to_le_bytes))
            .collect(),
    }
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub(crate) fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(BASE64[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The three encodings of a value shifted by 0, 1 and 2 bytes, trimmed to the characters
/// that do not depend on the neighbouring bytes (as pySigma does).
fn base64_offsets(bytes: &[u8]) -> Vec<String> {
    const START: [usize; 3] = [0, 2, 3];
    const END: [usize; 3] = [0, 3, 2];
    (0..3)
        .map(|shift| {
            let mut shifted = vec![b' '; shift];
            shifted.extend_from_slice(bytes);
            let encoded = base64_encode(&shifted);
            let end = encoded.len().saturating_sub(END[(bytes.len() + shift) % 3]);
            encoded.get(START[shift]..end).unwrap_or("").to_string()
        })
        .filter(|v| !v.is_empty())
        .collect()
}

fn resolve_condition(condition: &Condition, searches: &[(&str, Node)]) -> Result<Node, String> {
    Ok(match condition {
        Condition::Search(name) => searches
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, node)| node.clone())
            .ok_or(format!("condition names `{name}`, which is not a search"))?,
        Condition::Not(inner) => Node::Not(Box::new(resolve_condition(inner, searches)?)),
        Condition::And(items) => Node::And(
            items
                .iter()
                .map(|c| resolve_condition(c, searches))
                .collect::<Result<_, _>>()?,
        ),
        Condition::Or(items) => Node::Or(
            items
                .iter()
                .map(|c| resolve_condition(c, searches))
                .collect::<Result<_, _>>()?,
        ),
        Condition::Of {
            quantifier,
            pattern,
        } => {
            let chosen: Vec<Node> = searches
                .iter()
                .filter(|(n, _)| pattern_matches(pattern, n))
                .map(|(_, node)| node.clone())
                .collect();
            if chosen.is_empty() {
                return Err(format!("`of {pattern}` matches no search"));
            }
            match quantifier {
                Quantifier::All => Node::And(chosen),
                Quantifier::AtLeast(1) => Node::Or(chosen),
                Quantifier::AtLeast(n) => at_least(*n, chosen),
            }
        }
    })
}

/// `n of` for n > 1: OR over the n-element combinations (n and the list are small).
fn at_least(n: usize, nodes: Vec<Node>) -> Node {
    if n > nodes.len() {
        return Node::Const(false);
    }
    fn combos(
        start: usize,
        n: usize,
        nodes: &[Node],
        current: &mut Vec<Node>,
        out: &mut Vec<Node>,
    ) {
        if current.len() == n {
            out.push(Node::And(current.clone()));
            return;
        }
        for i in start..nodes.len() {
            current.push(nodes[i].clone());
            combos(i + 1, n, nodes, current, out);
            current.pop();
        }
    }
    let mut out = Vec::new();
    combos(0, n, &nodes, &mut Vec::new(), &mut out);
    Node::Or(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_and_offsets_match_pysigma() {
        assert_eq!(base64_encode(b"http://"), "aHR0cDovLw==");
        // pySigma's documented example: base64offset of "/bin/bash".
        assert_eq!(
            base64_offsets(b"/bin/bash"),
            vec!["L2Jpbi9iYXNo", "9iaW4vYmFza", "vYmluL2Jhc2"]
        );
    }

    #[test]
    fn windash_permutes_dashes() {
        let variants = windash("-enc");
        assert_eq!(variants.len(), 5);
        assert!(variants.contains(&"/enc".to_string()));
        assert!(variants.contains(&"\u{2013}enc".to_string()));
    }

    #[test]
    fn utf16_encodings() {
        assert_eq!(encode("cmd", Some(Utf16::LittleEndian)), b"c\0m\0d\0");
        assert_eq!(encode("cmd", Some(Utf16::BigEndian)), b"\0c\0m\0d");
        assert_eq!(
            encode("cmd", Some(Utf16::WithByteOrderMark)),
            b"\xFF\xFEc\0m\0d\0"
        );
    }

    #[test]
    fn placeholders_expand() {
        let mut compiler = Compiler::default();
        compiler
            .placeholders
            .insert("Servers".into(), vec!["srv1".into(), "srv2".into()]);
        assert_eq!(
            compiler.expand("x-%Servers%-y").unwrap(),
            vec!["x-srv1-y", "x-srv2-y"]
        );
        assert!(compiler.expand("%Unknown%").is_err());
        assert_eq!(compiler.expand("\\%plain").unwrap(), vec!["%plain"]);
    }
}

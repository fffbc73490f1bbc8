//! Sigma 2.1 for whoiswatch: detection, filter and correlation rules read from YAML into a
//! typed AST ([`ast`]), compiled once into matchers over resolved field slots, and run
//! over [`whoiswatch_event::Event`]s by a per-thread [`Scanner`].
//!
//! - Modifiers are an enum with one registry ([`modifier::MODIFIERS`]).
//! - String tests take fast paths (equality, prefix, suffix, memchr substring) on text
//!   lowered once per event and field; wildcards in the middle and `re` use the `regex`
//!   crate (linear time, size-limited). Four or more plain literals on one field are
//!   tested together: a hash set for exact values, one Aho-Corasick automaton for
//!   prefixes, suffixes and substrings ([`LoadOptions::slow_path`] turns this off).
//! - Rules are indexed by log source: an event meets only rules whose `logsource`
//!   applies to its Sigma category.
//! - A prefilter (the `prefilter` module) finds, with one pass per field, the few rules
//!   whose required texts occur in the event; only those (and rules with nothing to key
//!   on) are evaluated. Up to 64 texts on a field: a SIMD pre-search (Teddy) that stops
//!   where a text may start, and a comparison there; more: a hashed gram index (the
//!   `gram_index` module) whose cost per byte does not grow with the number of texts.
//!   Each log source's prefilter is built on its first event, once for all threads.
//! - Field names go through a mapping (data, `content/mappings/`) and then the event
//!   registry, once, when the rule compiles.

pub mod ast;
mod compile;
pub mod condition;
pub mod correlation;
mod error;
#[cfg(test)]
mod generated_texts;
mod gram_index;
mod literal_set;
mod logsource;
mod matcher;
pub mod modifier;
mod parse;
mod pattern;
pub(crate) mod prefilter;
mod regex_keys;
mod ruleset;
mod view;

pub use ast::{Level, Rule, RuleKind};
pub use correlation::{CompiledCorrelation, Correlated, CorrelationMatch};
pub use error::RuleError;
pub use parse::{parse_rules, parse_timespan};
pub use ruleset::{CompiledRule, LoadOptions, Loaded, RuleSet, Scanner};

/// Parse a field mapping file: `fieldmappings:` of Sigma name → whoiswatch name.
pub fn parse_mapping(text: &str) -> Result<Vec<(String, String)>, String> {
    let value: serde_json::Value =
        serde_saphyr::from_str(text).map_err(|e| format!("invalid YAML: {e}"))?;
    let map = value
        .get("fieldmappings")
        .and_then(|m| m.as_object())
        .ok_or("a mapping file needs `fieldmappings:`")?;
    map.iter()
        .map(|(k, v)| {
            v.as_str()
                .map(|v| (k.clone(), v.to_string()))
                .ok_or(format!("mapping of `{k}` must be a field name"))
        })
        .collect()
}

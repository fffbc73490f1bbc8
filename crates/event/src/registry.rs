//! Resolving the names users, rules and log formats write to canonical fields.
//!
//! Names compare without regard to ASCII case (`sourceIP` = `sourceip`), as AQL and most
//! SIEMs do. A name that is not a canonical field or alias stays an extra field, looked
//! up by that name.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use crate::field::{FieldId, FIELDS};

/// What a name written in a rule, query or record refers to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FieldName {
    Canonical(FieldId),
    /// A field outside the canonical set, kept under the name the record used.
    Extra(Box<str>),
}

impl FieldName {
    pub fn as_str(&self) -> &str {
        match self {
            FieldName::Canonical(id) => id.name(),
            FieldName::Extra(name) => name,
        }
    }
}

fn table() -> &'static FxHashMap<Box<str>, FieldId> {
    static TABLE: OnceLock<FxHashMap<Box<str>, FieldId>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut map = FxHashMap::default();
        for info in FIELDS {
            map.insert(info.name.to_ascii_lowercase().into_boxed_str(), info.id);
            for alias in info.aliases {
                map.insert(alias.to_ascii_lowercase().into_boxed_str(), info.id);
            }
        }
        map
    })
}

/// The canonical field a name stands for, if any (ASCII case-insensitive).
pub fn lookup(name: &str) -> Option<FieldId> {
    let bytes = name.as_bytes();
    if !bytes.iter().any(u8::is_ascii_uppercase) {
        return table().get(name).copied();
    }
    let mut buffer = [0u8; 64];
    if bytes.len() <= buffer.len() {
        let lowered = &mut buffer[..bytes.len()];
        lowered.copy_from_slice(bytes);
        lowered.make_ascii_lowercase();
        // Lowering ASCII letters keeps the bytes valid UTF-8.
        let lowered = std::str::from_utf8(lowered).ok()?;
        table().get(lowered).copied()
    } else {
        table().get(name.to_ascii_lowercase().as_str()).copied()
    }
}

/// Resolve a name once, when a rule or query compiles.
pub fn resolve(name: &str) -> FieldName {
    match lookup(name) {
        Some(id) => FieldName::Canonical(id),
        None => FieldName::Extra(name.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_alias_belongs_to_one_field() {
        let mut seen: FxHashMap<String, &str> = FxHashMap::default();
        for info in FIELDS {
            for name in std::iter::once(&info.name).chain(info.aliases) {
                let key = name.to_ascii_lowercase();
                if let Some(other) = seen.insert(key.clone(), info.name) {
                    panic!("{key} names both {other} and {}", info.name);
                }
            }
        }
    }

    #[test]
    fn seed_query_names_resolve() {
        for (name, id) in [
            ("destinationport", FieldId::DestinationPort),
            ("DestinationPort", FieldId::DestinationPort),
            ("destination.port", FieldId::DestinationPort),
            ("dpt", FieldId::DestinationPort),
            ("dstPort", FieldId::DestinationPort),
            ("id.resp_p", FieldId::DestinationPort),
            ("sourceIP", FieldId::SourceIp),
            ("destinationhostname", FieldId::DestinationHostname),
            ("usrName", FieldId::Username),
            ("QueryName", FieldId::DnsQuery),
            ("process.command_line", FieldId::CommandLine),
            ("server_name", FieldId::TlsSni),
            ("ScriptBlockText", FieldId::ScriptBlockText),
        ] {
            assert_eq!(lookup(name), Some(id), "{name}");
        }
    }

    #[test]
    fn unknown_names_stay_extra() {
        assert_eq!(resolve("Hashes"), FieldName::Extra("Hashes".into()));
        let long = "x".repeat(100);
        assert_eq!(lookup(&long), None);
    }
}

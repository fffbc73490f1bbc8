//! Named reference data as QRadar keeps it: reference sets (values), reference maps
//! (key → value) and reference tables (key → column → value), loaded from files. AQL's
//! REFERENCESETCONTAINS, REFERENCEMAP and REFERENCETABLE read them.
//!
//! Values compare exactly (QRadar's `ALN` type), except that IP addresses compare as
//! addresses (`10.0.0.01` is not an address; `::FFFF:1.2.3.4` and `::ffff:1.2.3.4` are
//! the same one). Names of sets, maps and tables ignore ASCII case.

use std::net::IpAddr;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::csv::csv_fields;
use crate::feed::FeedError;

/// A value in canonical form: IP addresses are re-printed so that equal addresses are
/// equal strings.
fn canonical(value: &str) -> String {
    let value = value.trim();
    match value.parse::<IpAddr>() {
        Ok(ip) => ip.to_string(),
        Err(_) => value.to_string(),
    }
}

/// All loaded reference data.
#[derive(Debug, Default, Clone)]
pub struct ReferenceData {
    sets: FxHashMap<String, FxHashSet<String>>,
    maps: FxHashMap<String, FxHashMap<String, String>>,
    tables: FxHashMap<String, FxHashMap<String, FxHashMap<String, String>>>,
}

fn key(name: &str) -> String {
    name.to_ascii_lowercase()
}

/// Lines that carry data: not blank, not a `#` comment; with their 1-based numbers.
fn data_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(index, line)| (index + 1, line.trim_end_matches('\r')))
        .filter(|(_, line)| {
            let line = line.trim();
            !line.is_empty() && !line.starts_with('#')
        })
}

impl ReferenceData {
    /// A reference set from a list: one value per line, `#` comment lines. Returns the
    /// number of values read.
    pub fn load_set(&mut self, name: &str, text: &str) -> usize {
        let set = self.sets.entry(key(name)).or_default();
        let before = set.len();
        for (_, line) in data_lines(text) {
            set.insert(canonical(line));
        }
        set.len() - before
    }

    /// A reference map from CSV lines `key,value` (a header line `key,value` is skipped).
    pub fn load_map(&mut self, name: &str, file: &str, text: &str) -> Vec<FeedError> {
        let mut errors = Vec::new();
        let map = self.maps.entry(key(name)).or_default();
        for (number, line) in data_lines(text) {
            let fields = match csv_fields(line) {
                Ok(fields) => fields,
                Err(reason) => {
                    errors.push(error(file, number, reason));
                    continue;
                }
            };
            if fields.len() != 2 {
                errors.push(error(
                    file,
                    number,
                    format!("expected key,value; found {} fields", fields.len()),
                ));
                continue;
            }
            if number == 1 && fields[0].eq_ignore_ascii_case("key") {
                continue;
            }
            map.insert(canonical(&fields[0]), fields[1].clone());
        }
        errors
    }

    /// A reference table from CSV with a header: the first column is the key, the other
    /// header names are the table's columns.
    pub fn load_table(&mut self, name: &str, file: &str, text: &str) -> Vec<FeedError> {
        let mut errors = Vec::new();
        let table = self.tables.entry(key(name)).or_default();
        let mut lines = data_lines(text);
        let Some((header_line, header)) = lines.next() else {
            return vec![error(
                file,
                1,
                "empty table: a header row is required".into(),
            )];
        };
        let header = match csv_fields(header) {
            Ok(header) if header.len() >= 2 => header,
            Ok(_) => {
                return vec![error(
                    file,
                    header_line,
                    "the header needs a key column and at least one more".into(),
                )]
            }
            Err(reason) => return vec![error(file, header_line, reason)],
        };
        for (number, line) in lines {
            let fields = match csv_fields(line) {
                Ok(fields) if fields.len() == header.len() => fields,
                Ok(fields) => {
                    errors.push(error(
                        file,
                        number,
                        format!(
                            "{} fields where the header has {}",
                            fields.len(),
                            header.len()
                        ),
                    ));
                    continue;
                }
                Err(reason) => {
                    errors.push(error(file, number, reason));
                    continue;
                }
            };
            let row = table.entry(canonical(&fields[0])).or_default();
            for (column, value) in header.iter().zip(&fields).skip(1) {
                row.insert(column.to_ascii_lowercase(), value.clone());
            }
        }
        errors
    }

    pub fn has_set(&self, name: &str) -> bool {
        self.sets.contains_key(&key(name))
    }

    pub fn has_map(&self, name: &str) -> bool {
        self.maps.contains_key(&key(name))
    }

    pub fn has_table(&self, name: &str) -> bool {
        self.tables.contains_key(&key(name))
    }

    /// Whether set `name` holds `value`; `None` when no such set is loaded.
    pub fn set_contains(&self, name: &str, value: &str) -> Option<bool> {
        let set = self.sets.get(&key(name))?;
        Some(set.contains(value) || set.contains(&canonical(value)))
    }

    pub fn map_get(&self, name: &str, key_value: &str) -> Option<&str> {
        let map = self.maps.get(&key(name))?;
        map.get(key_value)
            .or_else(|| map.get(&canonical(key_value)))
            .map(String::as_str)
    }

    /// Column names compare without regard to ASCII case.
    pub fn table_get(&self, name: &str, column: &str, key_value: &str) -> Option<&str> {
        let table = self.tables.get(&key(name))?;
        let row = table
            .get(key_value)
            .or_else(|| table.get(&canonical(key_value)))?;
        row.get(&column.to_ascii_lowercase()).map(String::as_str)
    }
}

fn error(file: &str, line: usize, reason: String) -> FeedError {
    FeedError {
        file: file.to_string(),
        line: Some(line),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_compare_exactly_and_addresses_as_addresses() {
        let mut data = ReferenceData::default();
        let read = data.load_set("Admins", "# admins\nalice\n\nBob\n::FFFF:1.2.3.4\n");
        assert_eq!(read, 3);
        assert_eq!(data.set_contains("admins", "alice"), Some(true));
        assert_eq!(data.set_contains("ADMINS", "bob"), Some(false));
        assert_eq!(data.set_contains("admins", "::ffff:1.2.3.4"), Some(true));
        assert_eq!(data.set_contains("other", "alice"), None);
    }

    #[test]
    fn maps_and_tables_report_bad_lines_and_keep_the_rest() {
        let mut data = ReferenceData::default();
        let errors = data.load_map(
            "owners",
            "owners.csv",
            "key,value\n10.0.0.1,alice\nbroken\n\"x,y\",z\n",
        );
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, Some(3));
        assert_eq!(data.map_get("owners", "10.0.0.1"), Some("alice"));
        assert_eq!(data.map_get("owners", "x,y"), Some("z"));

        let errors = data.load_table(
            "assets",
            "assets.csv",
            "ip,Owner,Site\n10.0.0.1,alice,hq\n10.0.0.2,bob\n",
        );
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].reason.contains("2 fields"),
            "{}",
            errors[0].reason
        );
        assert_eq!(data.table_get("ASSETS", "owner", "10.0.0.1"), Some("alice"));
        assert_eq!(data.table_get("assets", "site", "10.0.0.2"), None);
    }
}

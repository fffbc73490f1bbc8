//! Reading reference data and threat-intelligence feeds: plain lists, CSV, STIX 2.1
//! bundles and MISP JSON exports. A bad line or object is reported with its place and
//! skipped; the rest of the file is still read.

use serde_json::Value as Json;

use crate::csv::csv_fields;
use crate::set::ReferenceSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedFormat {
    /// One value per line; `#` starts a comment line; ` # text` after a value labels it.
    List,
    /// A header row, then one indicator per row.
    Csv,
    /// A STIX 2.1 bundle of indicators.
    Stix,
    /// A MISP event export (`{"Event": …}`, `{"response": [...]}` or a list of events).
    Misp,
}

impl FeedFormat {
    pub fn parse(name: &str) -> Option<FeedFormat> {
        match name.to_ascii_lowercase().as_str() {
            "list" | "txt" | "plain" => Some(FeedFormat::List),
            "csv" => Some(FeedFormat::Csv),
            "stix" | "stix2" => Some(FeedFormat::Stix),
            "misp" => Some(FeedFormat::Misp),
            _ => None,
        }
    }

    /// From the file name and, for JSON, the document's shape.
    pub fn sniff(file: &str, text: &str) -> FeedFormat {
        let lower = file.to_ascii_lowercase();
        if lower.ends_with(".csv") {
            return FeedFormat::Csv;
        }
        let start = text.trim_start();
        if lower.ends_with(".json") || start.starts_with('{') || start.starts_with('[') {
            let head = &text[..text.len().min(4096)];
            if head.contains("\"bundle\"") || head.contains("\"spec_version\"") {
                return FeedFormat::Stix;
            }
            return FeedFormat::Misp;
        }
        FeedFormat::List
    }
}

/// A problem in one place of a feed file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedError {
    pub file: String,
    /// 1-based line, where the format has lines.
    pub line: Option<usize>,
    pub reason: String,
}

impl std::fmt::Display for FeedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file, self.reason),
            None => write!(f, "{}: {}", self.file, self.reason),
        }
    }
}

/// Read `text` (the content of `file`) into `set`; returns the problems found.
pub fn load_into(
    set: &mut ReferenceSet,
    file: &str,
    text: &str,
    format: FeedFormat,
) -> Vec<FeedError> {
    let mut errors = Vec::new();
    let mut error = |line: Option<usize>, reason: String| {
        errors.push(FeedError {
            file: file.to_string(),
            line,
            reason,
        })
    };
    match format {
        FeedFormat::List => list(set, text),
        FeedFormat::Csv => csv(set, text, &mut error),
        FeedFormat::Stix | FeedFormat::Misp => match serde_json::from_str::<Json>(text) {
            Ok(doc) if format == FeedFormat::Stix => stix(set, &doc, &mut error),
            Ok(doc) => misp(set, &doc, &mut error),
            Err(e) => error(Some(e.line()), format!("invalid JSON: {e}")),
        },
    }
    errors
}

fn list(set: &mut ReferenceSet, text: &str) {
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (value, label) = match line.split_once(" #") {
            Some((v, l)) => (v.trim(), Some(l.trim())),
            None => (line, None),
        };
        set.add(value, label);
    }
}

const VALUE_COLUMNS: &[&str] = &[
    "indicator",
    "value",
    "ioc",
    "observable",
    "ip",
    "domain",
    "url",
    "address",
    "host",
];
const LABEL_COLUMNS: &[&str] = &["description", "comment", "threat", "tags", "name", "source"];

fn csv(set: &mut ReferenceSet, text: &str, error: &mut dyn FnMut(Option<usize>, String)) {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return;
    };
    let header: Vec<String> = match csv_fields(header) {
        Ok(h) => h.iter().map(|h| h.trim().to_ascii_lowercase()).collect(),
        Err(e) => return error(Some(1), e),
    };
    let column = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| header.iter().position(|h| h == n))
    };
    let Some(value_column) = column(VALUE_COLUMNS) else {
        return error(
            Some(1),
            format!("no indicator column (one of {})", VALUE_COLUMNS.join(", ")),
        );
    };
    let label_column = column(LABEL_COLUMNS);
    for (index, line) in lines {
        if line.starts_with('#') {
            continue;
        }
        match csv_fields(line) {
            Ok(fields) => match fields.get(value_column) {
                Some(value) if !value.trim().is_empty() => {
                    let label = label_column.and_then(|c| fields.get(c)).map(String::as_str);
                    set.add(value, label);
                }
                _ => error(Some(index + 1), "row has no indicator value".into()),
            },
            Err(e) => error(Some(index + 1), e),
        }
    }
}

/// Values compared in a STIX pattern: `[ipv4-addr:value = '198.51.100.1']`, `OR`-ed
/// comparisons and `IN ('a', 'b')`, for addresses, domains and URLs.
pub fn stix_pattern_values(pattern: &str) -> Vec<String> {
    let mut values = Vec::new();
    for object in [
        "ipv4-addr:value",
        "ipv6-addr:value",
        "domain-name:value",
        "url:value",
    ] {
        let mut rest = pattern;
        while let Some(at) = rest.find(object) {
            rest = rest[at + object.len()..].trim_start();
            let (operands, many) = if let Some(after) = rest.strip_prefix('=') {
                (after.trim_start(), false)
            } else if let Some(after) = rest.strip_prefix("IN") {
                (after.trim_start().trim_start_matches('('), true)
            } else {
                continue;
            };
            let mut segment = operands;
            // `= 'x'` takes one string; `IN ('a', 'b')` those before the `)`.
            while let Some(body) = segment.trim_start_matches([' ', ',']).strip_prefix('\'') {
                let mut value = String::new();
                let mut chars = body.char_indices();
                let mut close = body.len();
                while let Some((i, c)) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some((_, next)) = chars.next() {
                                value.push(next);
                            }
                        }
                        '\'' => {
                            close = i;
                            break;
                        }
                        _ => value.push(c),
                    }
                }
                values.push(value);
                segment = body.get(close + 1..).unwrap_or("");
                if !many {
                    break;
                }
            }
        }
    }
    values
}

fn stix(set: &mut ReferenceSet, doc: &Json, error: &mut dyn FnMut(Option<usize>, String)) {
    let objects = match doc.get("objects").and_then(Json::as_array) {
        Some(objects) => objects.as_slice(),
        None if doc.get("type").and_then(Json::as_str) == Some("indicator") => {
            std::slice::from_ref(doc)
        }
        None => return error(None, "not a STIX bundle (no `objects`)".into()),
    };
    for (index, object) in objects.iter().enumerate() {
        if object.get("type").and_then(Json::as_str) != Some("indicator")
            || object.get("revoked").and_then(Json::as_bool) == Some(true)
        {
            continue;
        }
        let pattern_type = object.get("pattern_type").and_then(Json::as_str);
        if pattern_type.is_some_and(|t| t != "stix") {
            continue;
        }
        let Some(pattern) = object.get("pattern").and_then(Json::as_str) else {
            error(
                None,
                format!("object {}: indicator without a pattern", index + 1),
            );
            continue;
        };
        let label = object
            .get("name")
            .or_else(|| object.get("description"))
            .and_then(Json::as_str);
        let values = stix_pattern_values(pattern);
        if values.is_empty() {
            error(
                None,
                format!(
                    "object {}: pattern has no address, domain or URL comparison: {pattern}",
                    index + 1
                ),
            );
        }
        for value in values {
            set.add(&value, label);
        }
    }
}

const MISP_TYPES: &[&str] = &[
    "ip-src",
    "ip-dst",
    "ip-src|port",
    "ip-dst|port",
    "domain",
    "hostname",
    "domain|ip",
    "hostname|port",
    "url",
    "uri",
    "link",
];

fn misp_attributes(set: &mut ReferenceSet, attributes: &Json, info: Option<&str>) {
    for attribute in attributes.as_array().into_iter().flatten() {
        let kind = attribute.get("type").and_then(Json::as_str).unwrap_or("");
        let Some(value) = attribute.get("value").and_then(Json::as_str) else {
            continue;
        };
        if !MISP_TYPES.contains(&kind) {
            continue;
        }
        let comment = attribute
            .get("comment")
            .and_then(Json::as_str)
            .filter(|c| !c.is_empty());
        let label = comment.or(info);
        if kind.contains('|') {
            // `host|port`, `domain|ip`: the parts before and after are both indicators,
            // except a port.
            let (first, second) = value.split_once('|').unwrap_or((value, ""));
            set.add(first, label);
            if kind == "domain|ip" {
                set.add(second, label);
            }
        } else {
            set.add(value, label);
        }
    }
}

fn misp(set: &mut ReferenceSet, doc: &Json, error: &mut dyn FnMut(Option<usize>, String)) {
    let events: Vec<&Json> = if let Some(list) = doc.get("response").and_then(Json::as_array) {
        list.iter().collect()
    } else if let Some(list) = doc.as_array() {
        list.iter().collect()
    } else {
        vec![doc]
    };
    let mut found = false;
    for wrapper in events {
        let event = wrapper.get("Event").unwrap_or(wrapper);
        if event.get("Attribute").is_none() && event.get("Object").is_none() {
            continue;
        }
        found = true;
        let info = event.get("info").and_then(Json::as_str);
        misp_attributes(set, &event["Attribute"], info);
        for object in event
            .get("Object")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            misp_attributes(set, &object["Attribute"], info);
        }
    }
    if !found {
        error(
            None,
            "not a MISP export (no Event with Attribute or Object)".into(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str, format: FeedFormat) -> (ReferenceSet, Vec<FeedError>) {
        let mut set = ReferenceSet::new("t");
        let errors = load_into(&mut set, "feed", text, format);
        (set, errors)
    }

    #[test]
    fn plain_lists_with_comments_and_labels() {
        let (set, errors) = load(
            "# intel\n198.51.100.7 # C2\n\nevil.example\n",
            FeedFormat::List,
        );
        assert!(errors.is_empty());
        assert_eq!(
            set.find("198.51.100.7").unwrap().label.as_deref(),
            Some("C2")
        );
        assert!(set.find("www.evil.example").is_some());
    }

    #[test]
    fn csv_picks_the_indicator_column_and_reports_bad_rows() {
        let text = "type,indicator,description\nip,203.0.113.5,\"scanner, known\"\ndomain,,x\nurl,\"broken\n";
        let (set, errors) = load(text, FeedFormat::Csv);
        assert_eq!(
            set.find("203.0.113.5").unwrap().label.as_deref(),
            Some("scanner, known")
        );
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(errors[0].line, Some(3));
        assert_eq!(errors[1].to_string(), "feed:4: unterminated quoted field");
        let (_, errors) = load("a,b\n1,2\n", FeedFormat::Csv);
        assert!(errors[0].reason.contains("no indicator column"));
    }

    #[test]
    fn stix_patterns() {
        assert_eq!(
            stix_pattern_values(
                "[ipv4-addr:value = '198.51.100.1' OR domain-name:value = 'a.example']"
            ),
            vec!["198.51.100.1", "a.example"]
        );
        assert_eq!(
            stix_pattern_values(
                "[url:value IN ('https://x.example/a', 'http://y.example/it\\'s')]"
            ),
            vec!["https://x.example/a", "http://y.example/it's"]
        );
        let bundle = r#"{"type":"bundle","id":"bundle--1","objects":[
          {"type":"indicator","spec_version":"2.1","name":"Recon host","pattern_type":"stix",
           "pattern":"[ipv4-addr:value = '203.0.113.9']"},
          {"type":"indicator","pattern_type":"stix","revoked":true,"pattern":"[domain-name:value = 'old.example']"},
          {"type":"indicator","pattern_type":"sigma","pattern":"title: x"},
          {"type":"indicator","pattern_type":"stix","pattern":"[file:hashes.MD5 = 'abc']"},
          {"type":"malware","name":"x"}]}"#;
        let (set, errors) = load(bundle, FeedFormat::Stix);
        assert_eq!(
            set.find("203.0.113.9").unwrap().label.as_deref(),
            Some("Recon host")
        );
        assert!(set.find("old.example").is_none());
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(FeedFormat::sniff("x.json", bundle), FeedFormat::Stix);
    }

    #[test]
    fn misp_exports() {
        let doc = r#"{"response":[{"Event":{"info":"Phishing infra","Attribute":[
            {"type":"ip-dst","value":"192.0.2.44","comment":""},
            {"type":"domain|ip","value":"phish.example|192.0.2.45"},
            {"type":"md5","value":"d41d8cd98f00b204e9800998ecf8427e"}],
            "Object":[{"Attribute":[{"type":"url","value":"https://phish.example/login"}]}]}}]}"#;
        let (set, errors) = load(doc, FeedFormat::Misp);
        assert!(errors.is_empty());
        assert_eq!(
            set.find("192.0.2.44").unwrap().label.as_deref(),
            Some("Phishing infra")
        );
        assert!(set.find("192.0.2.45").is_some());
        assert!(set.find("phish.example").is_some());
        assert!(set.find("https://phish.example/login").is_some());
        assert_eq!(set.len(), 4);
        let (_, errors) = load("{\"x\":1}", FeedFormat::Misp);
        assert_eq!(errors.len(), 1);
        let (_, errors) = load("{\n\"x\":", FeedFormat::Misp);
        assert_eq!(errors[0].line, Some(2));
    }
}

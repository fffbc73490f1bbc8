//! Every value modifier of the Sigma 2.1 modifiers appendix and every condition form of
//! the rules specification, each from the specification's own example where it gives
//! one (`adm*`, `*\cmd.exe`, `cmd` → `63 00 6d 00 64 00`, `10.0.0.0/8`, …), with a
//! value that must match and one that must not.

use std::sync::Arc;

use whoiswatch_event::{Category, Event, LogSourceType, Origin, Position, Timestamp, Value};
use whoiswatch_sigma::{LoadOptions, RuleSet};

fn event(fields: &[(&str, Value)]) -> Event {
    let origin = Origin {
        file: Arc::from("spec"),
        position: Position::Line(1),
    };
    let mut event = Event::new(&LogSourceType::JSON, Category::default(), origin);
    for (name, value) in fields {
        event.set_named(name, value.clone());
        // As the Windows readers do: a name that is an alias of a canonical field
        // (`TargetUserName` → `username`) is kept under its own name too.
        if let whoiswatch_event::FieldName::Canonical(id) = whoiswatch_event::resolve(name) {
            if !id.name().eq_ignore_ascii_case(name) {
                event.push_extra(name.to_string(), value.clone());
            }
        }
    }
    event
}

fn text(name: &str, value: &str) -> (String, Value) {
    (name.to_string(), Value::text(value))
}

/// Does a rule with this `detection` body match an event with these fields?
fn matches_with(detection: &str, fields: &[(String, Value)], options: &LoadOptions) -> bool {
    let yaml = format!("title: spec\nlogsource: {{}}\ndetection:\n{detection}\n");
    let loaded = RuleSet::load(&[], &[("spec.yml".into(), yaml.clone())], options);
    assert!(loaded.errors.is_empty(), "{yaml}: {:?}", loaded.errors);
    let fields: Vec<(&str, Value)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.clone()))
        .collect();
    let mut scanner = loaded.set.scanner();
    !scanner.scan(&event(&fields)).is_empty()
}

fn matches(detection: &str, fields: &[(String, Value)]) -> bool {
    matches_with(detection, fields, &LoadOptions::default())
}

/// A one-selection detection on one field with the given modifiers and value.
fn sel(field_and_modifiers: &str, value: &str) -> String {
    format!("  sel:\n    {field_and_modifiers}: {value}\n  condition: sel")
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (*b as u32) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn utf16le(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect()
}

#[test]
fn generic_modifiers() {
    // all: a list linked with AND.
    let all = sel("CommandLine|contains|all", "['-enc', 'bypass']");
    assert!(matches(
        &all,
        &[text("CommandLine", "powershell -ep bypass -enc SQBFAFgA")]
    ));
    assert!(!matches(
        &all,
        &[text("CommandLine", "powershell -enc SQBFAFgA")]
    ));
    // startswith replaces 'adm*'; endswith replaces '*\cmd.exe'.
    let starts = sel("User|startswith", "adm");
    assert!(matches(&starts, &[text("User", "Administrator")]));
    assert!(!matches(&starts, &[text("User", "sysadm")]));
    let ends = sel("Image|endswith", "'\\cmd.exe'");
    assert!(matches(
        &ends,
        &[text("Image", "C:\\Windows\\System32\\CMD.EXE")]
    ));
    assert!(!matches(&ends, &[text("Image", "C:\\cmd.exe.bak")]));
    // contains: wildcards around the value.
    let contains = sel("CommandLine|contains", "whoami");
    assert!(matches(
        &contains,
        &[text("CommandLine", "cmd /c WHOAMI /all")]
    ));
    assert!(!matches(&contains, &[text("CommandLine", "who am i")]));
    // exists: presence, whatever the value (empty included).
    let exists = sel("ParentImage|exists", "true");
    assert!(matches(&exists, &[text("ParentImage", "")]));
    assert!(!matches(&exists, &[text("Image", "x")]));
    let absent = sel("ParentImage|exists", "false");
    assert!(matches(&absent, &[text("Image", "x")]));
    // cased: case-sensitive.
    let cased = sel("CommandLine|contains|cased", "Invoke-");
    assert!(matches(&cased, &[text("CommandLine", "Invoke-Expression")]));
    assert!(!matches(
        &cased,
        &[text("CommandLine", "invoke-expression")]
    ));
    // neq: different from every value.
    let neq = sel("Status|neq", "'0x0'");
    assert!(matches(&neq, &[text("Status", "0x6")]));
    assert!(!matches(&neq, &[text("Status", "0x0")]));
}

#[test]
fn windash_permutes_every_dash() {
    let rule = sel("CommandLine|windash|contains", "' -enc '");
    for dash in ["-", "/", "\u{2013}", "\u{2014}", "\u{2015}"] {
        let line = format!("powershell {dash}enc SQBFAFgA");
        assert!(matches(&rule, &[text("CommandLine", &line)]), "{line}");
    }
    assert!(!matches(&rule, &[text("CommandLine", "powershell +enc x")]));
}

#[test]
fn regular_expressions_and_their_flags() {
    // Case-sensitive by default.
    let re = sel("CommandLine|re", "'who(ami)? [/-]all'");
    assert!(matches(&re, &[text("CommandLine", "cmd /c whoami /all")]));
    assert!(!matches(&re, &[text("CommandLine", "cmd /c WHOAMI /all")]));
    let insensitive = sel("CommandLine|re|i", "'whoami /all'");
    assert!(matches(&insensitive, &[text("CommandLine", "WHOAMI /ALL")]));
    // m: ^ and $ at line ends.
    let multi = sel("ScriptBlockText|re|m", "'^whois$'");
    assert!(matches(
        &multi,
        &[text("ScriptBlockText", "$x = 1\nwhois\n")]
    ));
    assert!(!matches(
        &sel("ScriptBlockText|re", "'^whois$'"),
        &[text("ScriptBlockText", "$x = 1\nwhois\n")]
    ));
    // s: dot matches newline.
    let single = sel("ScriptBlockText|re|s", "'TcpClient.*43'");
    assert!(matches(
        &single,
        &[text("ScriptBlockText", "TcpClient(\n'whois.arin.net', 43)")]
    ));
    assert!(!matches(
        &sel("ScriptBlockText|re", "'TcpClient.*43'"),
        &[text("ScriptBlockText", "TcpClient(\n'whois.arin.net', 43)")]
    ));
}

#[test]
fn encodings() {
    // base64: the value encoded.
    let b64 = sel("CommandLine|base64|contains", "'whois'");
    let line = format!("powershell -enc {}", base64(b"whois"));
    assert!(matches(&b64, &[text("CommandLine", &line)]));
    assert!(!matches(
        &b64,
        &[text("CommandLine", "powershell -enc d2hvYW1p")]
    ));
    // base64offset: at any of three offsets inside a longer encoded text.
    let offset = sel("CommandLine|base64offset|contains", "'whois.arin.net'");
    for prefix in ["", "x", "xy"] {
        let encoded = base64(format!("{prefix}whois.arin.net 8.8.8.8").as_bytes());
        assert!(
            matches(&offset, &[text("CommandLine", &encoded)]),
            "{prefix}"
        );
    }
    assert!(!matches(
        &offset,
        &[text("CommandLine", &base64(b"whois.ripe.net"))]
    ));
    // utf16le (`cmd` > 63 00 6d 00 64 00), and its alias wide: as PowerShell -enc writes.
    for modifier in ["utf16le", "wide"] {
        let rule = sel(
            &format!("CommandLine|{modifier}|base64offset|contains"),
            "'cmd'",
        );
        let encoded = base64(&utf16le("start cmd /c whoami"));
        assert!(
            matches(&rule, &[text("CommandLine", &encoded)]),
            "{modifier}"
        );
        assert!(!matches(
            &rule,
            &[text("CommandLine", &base64(b"start cmd"))]
        ));
    }
    // utf16be: 00 63 00 6d 00 64; utf16: with the byte order mark FF FE first.
    let be: Vec<u8> = "cmd".encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
    assert!(matches(
        &sel("CommandLine|utf16be|base64", "'cmd'"),
        &[text("CommandLine", &base64(&be))]
    ));
    let mut bom = vec![0xFF, 0xFE];
    bom.extend(utf16le("cmd"));
    assert!(matches(
        &sel("CommandLine|utf16|base64", "'cmd'"),
        &[text("CommandLine", &base64(&bom))]
    ));
    assert!(!matches(
        &sel("CommandLine|utf16|base64", "'cmd'"),
        &[text("CommandLine", &base64(&utf16le("cmd")))]
    ));
}

#[test]
fn numeric_modifiers() {
    let port = |p: i64| vec![("DestinationPort".to_string(), Value::Integer(p))];
    assert!(matches(&sel("DestinationPort|lt", "44"), &port(43)));
    assert!(!matches(&sel("DestinationPort|lt", "43"), &port(43)));
    assert!(matches(&sel("DestinationPort|lte", "43"), &port(43)));
    assert!(matches(&sel("DestinationPort|gt", "42"), &port(43)));
    assert!(!matches(&sel("DestinationPort|gt", "43"), &port(43)));
    assert!(matches(&sel("DestinationPort|gte", "43"), &port(43)));
    assert!(matches(&sel("DestinationPort|neq", "443"), &port(43)));
    assert!(!matches(&sel("DestinationPort|neq", "43"), &port(43)));
    // Numbers written as text compare as numbers, not as strings ("9" > "43" as text).
    assert!(!matches(
        &sel("DestinationPort|gt", "43"),
        &[text("DestinationPort", "9")]
    ));
}

#[test]
fn time_modifiers() {
    // 2026-03-14T15:09:26Z: minute 9, hour 15, day 14, ISO week 11, month 3, year 2026.
    let at = Timestamp::from_seconds(1_773_500_966);
    let time = vec![("devicetime".to_string(), Value::Time(at))];
    for (modifier, value, other) in [
        ("minute", 9, 10),
        ("hour", 15, 3),
        ("day", 14, 15),
        ("week", 11, 12),
        ("month", 3, 4),
        ("year", 2026, 2025),
    ] {
        let rule = sel(&format!("devicetime|{modifier}"), &value.to_string());
        assert!(matches(&rule, &time), "{modifier}");
        let rule = sel(&format!("devicetime|{modifier}"), &other.to_string());
        assert!(!matches(&rule, &time), "{modifier} {other}");
    }
}

#[test]
fn cidr_in_both_families() {
    let ip = |a: &str| vec![("DestinationIp".to_string(), Value::Ip(a.parse().unwrap()))];
    let v4 = sel("DestinationIp|cidr", "10.0.0.0/8");
    assert!(matches(&v4, &ip("10.1.2.3")));
    assert!(!matches(&v4, &ip("11.0.0.1")));
    let v6 = sel("DestinationIp|cidr", "'2001:db8::/32'");
    assert!(matches(&v6, &ip("2001:db8:1::43")));
    assert!(!matches(&v6, &ip("2001:db9::1")));
    // As text too (a field a parser kept as a string).
    assert!(matches(&v4, &[text("DestinationIp", "10.9.9.9")]));
}

#[test]
fn expand_and_fieldref() {
    let options = LoadOptions {
        placeholders: vec![("admins".into(), vec!["alice".into(), "bob".into()])],
        ..LoadOptions::default()
    };
    let expand = sel("User|expand", "'%admins%'");
    assert!(matches_with(&expand, &[text("User", "BOB")], &options));
    assert!(!matches_with(&expand, &[text("User", "carol")], &options));
    // fieldref: two fields of the same event compared; with neq, different.
    let same = sel("TargetUserName|fieldref", "SubjectUserName");
    let users = |t: &str, s: &str| vec![text("TargetUserName", t), text("SubjectUserName", s)];
    assert!(matches(&same, &users("alice", "alice")));
    assert!(!matches(&same, &users("alice", "bob")));
    let differ = sel("TargetUserName|fieldref|neq", "SubjectUserName");
    assert!(matches(&differ, &users("alice", "bob")));
    assert!(!matches(&differ, &users("alice", "alice")));
}

#[test]
fn wildcards_nulls_and_empty_values() {
    // * and ? with escapes: \* is a literal star.
    assert!(matches(
        &sel("CommandLine", "'whois ?.arin.*'"),
        &[text("CommandLine", "whois 8.arin.net")]
    ));
    assert!(matches(
        &sel("CommandLine", "'a\\*b'"),
        &[text("CommandLine", "a*b")]
    ));
    assert!(!matches(
        &sel("CommandLine", "'a\\*b'"),
        &[text("CommandLine", "axxb")]
    ));
    // null: the field is absent (or null); '' the field is empty.
    assert!(matches(&sel("ParentImage", "null"), &[text("Image", "x")]));
    assert!(!matches(
        &sel("ParentImage", "null"),
        &[text("ParentImage", "x")]
    ));
    assert!(matches(
        &sel("ParentImage", "''"),
        &[text("ParentImage", "")]
    ));
    assert!(!matches(
        &sel("ParentImage", "''"),
        &[text("ParentImage", "x")]
    ));
    // A wildcard asks for a value (as `field=*` in a SIEM): `*` and `contains: '*'` match
    // any value, the empty one included, but not an absent field (SigmaHQ's "Alternate
    // PowerShell Hosts" relies on it: `ContextInfo|contains: '*'`).
    for any in [
        sel("ContextInfo", "'*'"),
        sel("ContextInfo|contains", "'*'"),
    ] {
        assert!(matches(
            &any,
            &[text("ContextInfo", "Host Application = x")]
        ));
        assert!(matches(&any, &[text("ContextInfo", "")]));
        assert!(!matches(&any, &[text("Message", "x")]), "{any}");
    }
    assert!(!matches(
        &sel("ContextInfo|startswith", "''"),
        &[text("Message", "x")]
    ));
}

#[test]
fn keyword_detections() {
    let keywords = "  keywords:\n    - 'whois.arin.net'\n    - 'rdap'\n  condition: keywords";
    assert!(matches(
        keywords,
        &[text("CommandLine", "curl https://RDAP.org/ip/8.8.8.8")]
    ));
    assert!(!matches(
        keywords,
        &[text("CommandLine", "nslookup example.com")]
    ));
    // The payload is searched when it is a raw line, not when it is the record
    // serialized as JSON or XML (its values are the fields, already searched).
    let line = "<134>Oct 11 22:14:15 fw1 proxy: GET https://rdap.org/ip/8.8.8.8";
    assert!(matches(keywords, &[text("payload", line)]));
    for serialized in [
        r#"{"url":"https://rdap.org/ip/8.8.8.8"}"#,
        "<Event><Data>rdap</Data></Event>",
    ] {
        assert!(
            !matches(keywords, &[text("payload", serialized)]),
            "{serialized}"
        );
    }
}

#[test]
fn condition_forms() {
    let body = |condition: &str| {
        format!(
            "  sel_a:\n    A: 1\n  sel_b:\n    B: 1\n  _hidden:\n    C: 1\n  filter:\n    D: 1\n  condition: {condition}"
        )
    };
    let ev =
        |names: &[&str]| -> Vec<(String, Value)> { names.iter().map(|n| text(n, "1")).collect() };
    let cases: &[(&str, &[&str], bool)] = &[
        ("sel_a and sel_b", &["A", "B"], true),
        ("sel_a and sel_b", &["A"], false),
        ("sel_a or sel_b", &["B"], true),
        ("sel_a and not filter", &["A", "D"], false),
        ("sel_a and not filter", &["A"], true),
        // not binds tighter than and, and tighter than or.
        ("not sel_a or sel_b", &["A", "B"], true),
        ("not sel_a or sel_b", &["A"], false),
        ("sel_a or sel_b and filter", &["A"], true),
        ("(sel_a or sel_b) and filter", &["A"], false),
        ("1 of sel_*", &["B"], true),
        ("all of sel_*", &["B"], false),
        ("all of sel_*", &["A", "B"], true),
        // them: every search except those whose names start with `_`.
        ("1 of them", &["C"], false),
        ("1 of them", &["D"], true),
        ("all of them", &["A", "B", "D"], true),
        ("all of them", &["A", "B"], false),
        ("1 of _hidden", &["C"], true),
    ];
    for (condition, fields, expected) in cases {
        assert_eq!(
            matches(&body(condition), &ev(fields)),
            *expected,
            "{condition} on {fields:?}"
        );
    }
}

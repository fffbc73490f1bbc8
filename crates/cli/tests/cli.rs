//! The binary end to end: the bundled examples, the schema document, exit codes.

use std::process::Command;

fn whoiswatch() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_whoiswatch"));
    command.current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    command
}

#[test]
fn examples_parse_without_errors() {
    let output = whoiswatch()
        .args([
            "events",
            "--threads",
            "1",
            "--strict",
            "--fields",
            "logsourcetypename,dnsquery,dpt",
            "examples",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains(r#"{"logsourcetypename":"ISC BIND","dnsquery":"whois.iana.org","dpt":53}"#),
        "{stdout}"
    );
    assert!(stdout.contains(
        r#"{"logsourcetypename":"Configurable Firewall Filter","dnsquery":null,"dpt":43}"#
    ));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("total: 14 files"), "{stderr}");
    assert!(stderr.contains("0 records skipped"));
}

#[test]
fn schema_document_is_current() {
    let output = whoiswatch().arg("fields").output().unwrap();
    let expected =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/schema.md"))
            .unwrap();
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        expected,
        "run `whoiswatch fields > docs/schema.md`"
    );
}

#[test]
fn strict_mode_stops_with_exit_code_3() {
    let dir = std::env::temp_dir().join(format!("whoiswatch-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.json");
    std::fs::write(&path, "{\"a\":1}\n{broken\n{\"a\":2}\n").unwrap();
    let lenient = whoiswatch()
        .args(["events", "--output", "none"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(lenient.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&lenient.stderr)
        .contains("bad.json:line 2: skipped (invalid-json)"));
    let strict = whoiswatch()
        .args(["events", "--output", "none", "--strict"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(strict.status.code(), Some(3));
    let missing = whoiswatch()
        .args(["events", "/nonexistent/x.log"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
}

/// Golden output of `events` on a mixed directory (every fixture format plus the
/// examples): the exact NDJSON and the summary. Regenerate after an intended change with
/// `WHOISWATCH_BLESS=1 cargo test --release -p whoiswatch-cli golden`, and review the diff.
#[test]
fn golden_events_on_a_mixed_directory() {
    let output = whoiswatch()
        .args(["events", "--threads", "1", "--output", "ndjson"])
        .args(["tests/fixtures", "examples"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/golden");
    for (name, actual) in [
        ("events-mixed.ndjson", &output.stdout),
        ("events-mixed.summary", &output.stderr),
    ] {
        let path = std::path::Path::new(root).join(name);
        if std::env::var_os("WHOISWATCH_BLESS").is_some() {
            std::fs::create_dir_all(root).unwrap();
            std::fs::write(&path, actual).unwrap();
            continue;
        }
        let expected = std::fs::read(&path).unwrap_or_default();
        let actual = String::from_utf8_lossy(actual);
        let expected = String::from_utf8_lossy(&expected);
        if actual != expected {
            let line = actual
                .lines()
                .zip(expected.lines())
                .position(|(a, e)| a != e)
                .unwrap_or(actual.lines().count().min(expected.lines().count()));
            panic!(
                "{name} differs from tests/golden at line {}:\n  actual:   {}\n  expected: {}\n(bless with WHOISWATCH_BLESS=1 if intended)",
                line + 1,
                actual.lines().nth(line).unwrap_or("<end>"),
                expected.lines().nth(line).unwrap_or("<end>"),
            );
        }
    }
}

/// The built-in pack on the examples: each WHOIS/RDAP trace is found once, and the
/// look-alike firewall record (destination port 4343) is not.
#[test]
fn scan_finds_the_whois_activity_in_the_examples() {
    // The files at the top of examples/ (examples/scenario has its own test).
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let mut files: Vec<String> = std::fs::read_dir(format!("{root}/examples"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_file())
        .map(|e| format!("examples/{}", e.file_name().to_string_lossy()))
        .collect();
    files.sort();
    let output = whoiswatch()
        .args(["scan", "--threads", "1", "--output", "ndjson"])
        .args(&files)
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    let alerts: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let count = |title: &str| alerts.iter().filter(|a| a["rule_title"] == title).count();
    assert_eq!(
        count("Firewall or Flow Record of Outbound TCP/43 (WHOIS)"),
        2
    );
    assert_eq!(
        count("DNS Server Log of a WHOIS Server or RDAP Service Lookup"),
        4
    );
    assert_eq!(count("Proxy Access to an RDAP or Web WHOIS Service"), 2);
    assert_eq!(count("WHOIS or RDAP Client Executed"), 1);
    assert_eq!(alerts.len(), 9, "{stdout}");
    assert!(alerts.iter().all(|a| a["destination_port"] != 4343));
    assert!(alerts.iter().all(|a| a["technique"] == "T1596.002"));
    let evidence = &alerts[0]["evidence"][0];
    assert!(evidence["file"].as_str().unwrap().starts_with("examples/"));
}

#[test]
fn rules_check_lists_bad_rules_and_fails() {
    let dir = std::env::temp_dir().join(format!("whoiswatch-rules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("bad.yml"),
        "title: Bad\nlogsource: {product: windows}\ndetection:\n  sel:\n    Image|endswit: x\n  condition: sel\n",
    )
    .unwrap();
    std::fs::write(dir.join("broken.yml"), "title: [unclosed\n").unwrap();
    let output = whoiswatch()
        .args(["rules", "check"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("bad.yml [Bad]: search `sel`: unknown modifier `endswit`"),
        "{stdout}"
    );
    assert!(stdout.contains("broken.yml: invalid YAML"), "{stdout}");
    assert!(stdout.contains("0 detection rules"), "{stdout}");
    let builtin = whoiswatch().args(["rules", "check"]).output().unwrap();
    assert_eq!(builtin.status.code(), Some(0));
}

#[test]
fn events_output_reads_back_as_the_same_events() {
    // `whoiswatch events` NDJSON, read again: the same fields, Sigma log source and
    // extra fields (plus where the record first came from).
    let first = whoiswatch()
        .args(["events", "--threads", "1", "examples"])
        .output()
        .unwrap();
    assert!(first.status.success());
    let dir = std::env::temp_dir().join(format!("whoiswatch-roundtrip-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let saved = dir.join("events.ndjson");
    std::fs::write(&saved, &first.stdout).unwrap();
    let second = whoiswatch()
        .args(["events", "--threads", "1", "--strict"])
        .arg(&saved)
        .output()
        .unwrap();
    assert!(
        second.status.success(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    let parse = |bytes: &[u8]| -> Vec<serde_json::Value> {
        String::from_utf8(bytes.to_vec())
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let (before, after) = (parse(&first.stdout), parse(&second.stdout));
    assert_eq!(before.len(), after.len());
    for (b, a) in before.iter().zip(&after) {
        let mut a = a.clone();
        let extra = a["extra"].as_object_mut().unwrap();
        assert_eq!(extra.remove("original_file"), Some(b["file"].clone()));
        assert_eq!(
            extra.remove("original_position"),
            Some(b["position"].clone())
        );
        if extra.is_empty() {
            a.as_object_mut().unwrap().remove("extra");
        }
        for key in ["file", "position", "payload"] {
            a.as_object_mut().unwrap().remove(key);
        }
        let mut b = b.clone();
        for key in ["file", "position", "payload"] {
            b.as_object_mut().unwrap().remove(key);
        }
        assert_eq!(a, b);
    }
}

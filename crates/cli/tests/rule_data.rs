//! The pack on tests/rules: every positive event alerts, no negative event does.

use std::process::Command;

fn alerts(dir: &str) -> (Vec<serde_json::Value>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_whoiswatch"))
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .args([
            "scan",
            "--threads",
            "1",
            "--strict",
            "--output",
            "ndjson",
            dir,
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "{stderr}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    (
        stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
        stderr,
    )
}

fn events_read(stderr: &str) -> usize {
    let total = stderr.lines().find(|l| l.starts_with("total:")).unwrap();
    total
        .split(", ")
        .find_map(|p| p.strip_suffix(" events read"))
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn negatives_raise_nothing() {
    let (alerts, stderr) = alerts("tests/rules/negative");
    assert_eq!(events_read(&stderr), 17, "{stderr}");
    assert!(alerts.is_empty(), "{alerts:#?}");
}

#[test]
fn every_positive_event_alerts() {
    let (alerts, stderr) = alerts("tests/rules/positive");
    let events = events_read(&stderr);
    assert_eq!(events, 5);
    let mut positions: Vec<String> = alerts
        .iter()
        .map(|a| a["evidence"][0]["position"].as_str().unwrap().to_string())
        .collect();
    positions.dedup();
    assert_eq!(positions.len(), events, "{alerts:#?}");
}

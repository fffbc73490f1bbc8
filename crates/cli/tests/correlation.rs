//! Sigma correlation rules end to end on a real Kerberos password spray (fixture
//! README): chained value_count → temporal_ordered, `generate`, thresholds, and the
//! same answer when the events are split over files read by two threads.
//!
//! Worked out by hand from the 12 records: records 2–10 are pre-authentication
//! failures from 172.16.66.1 for 9 different accounts (HD01, admin, svc-02, HD02,
//! svc-01, bob, admin02, Administrator, backdoor) within 11 ms; record 11 is a ticket
//! for `normal` from 172.16.66.1, record 12 one from ::ffff:172.16.66.1 (another group).
//! So the spray (≥ 9 accounts in 1 m) fires once, at record 10, and the ordered
//! correlation fires once, at record 11.

mod common;

use std::path::{Path, PathBuf};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/correlation");

fn scan(rules: &Path, logs: &[PathBuf], threads: &str) -> (Vec<serde_json::Value>, String) {
    let mut args = vec!["--rules", rules.to_str().unwrap(), "--threads", threads];
    args.extend(logs.iter().map(|l| l.to_str().unwrap()));
    common::scan_alerts(&args)
}

fn evtx() -> Vec<PathBuf> {
    vec![Path::new(FIXTURES).join("kerberos_pwd_spray_4771.evtx")]
}

/// The fixture's rules with `from` replaced by `to`, in a fresh directory.
fn variant(name: &str, edits: &[(&str, &str)]) -> PathBuf {
    let mut text = std::fs::read_to_string(Path::new(FIXTURES).join("kerberos_spray.yml")).unwrap();
    for (from, to) in edits {
        assert!(text.contains(from), "{from}");
        text = text.replacen(from, to, 1);
    }
    let dir = std::env::temp_dir().join(format!("whoiswatch-corr-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("rules.yml");
    std::fs::write(&path, text).unwrap();
    path
}

fn titles(alerts: &[serde_json::Value]) -> Vec<&str> {
    alerts
        .iter()
        .map(|a| a["rule_title"].as_str().unwrap())
        .collect()
}

#[test]
fn a_chained_correlation_fires_once_with_its_evidence() {
    let (alerts, stderr) = scan(
        &Path::new(FIXTURES).join("kerberos_spray.yml"),
        &evtx(),
        "1",
    );
    // Neither the referenced rules nor the inner correlation report alone.
    assert_eq!(
        titles(&alerts),
        ["Kerberos password spray followed by a ticket for the same address"],
        "{stderr}"
    );
    let alert = &alerts[0];
    assert_eq!(
        alert["summary"],
        "2 of 2 rules in order (Kerberos password spray from one address, Kerberos ticket \
         granted) for IpAddress=172.16.66.1 from 2020-07-22T20:29:36.425838200Z to \
         2020-07-22T20:29:36.434698900Z (within 1m; condition all 2 rules)"
    );
    assert_eq!(alert["level"], "high");
    assert_eq!(alert["technique"], "T1110.003");
    let positions: Vec<&str> = alert["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["position"].as_str().unwrap())
        .collect();
    assert_eq!(positions, ["record 11", "record 10"]);
    assert!(
        stderr.contains("9  Kerberos pre-authentication failure  (feeds a correlation only)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("2 correlation rules, 1 firings from 11 matches"),
        "{stderr}"
    );
    assert!(stderr.contains("11 matches, 1 alerts"), "{stderr}");
}

#[test]
fn the_threshold_is_a_boundary() {
    // Ten accounts are needed now: no spray, so nothing to follow.
    let rules = variant("gte10", &[("gte: 9", "gte: 10")]);
    let (alerts, stderr) = scan(&rules, &evtx(), "1");
    assert!(alerts.is_empty(), "{alerts:?}");
    assert!(
        stderr.contains("2 correlation rules, 0 firings from 11 matches"),
        "{stderr}"
    );
    // Counting matches instead of accounts: 9 failures reach `gte: 9`.
    let rules = variant(
        "count",
        &[
            ("type: value_count", "type: event_count"),
            ("        field: TargetUserName\n", ""),
        ],
    );
    let (alerts, _) = scan(&rules, &evtx(), "1");
    assert_eq!(alerts.len(), 1);
}

#[test]
fn generate_reports_the_referenced_rules_too() {
    // `generate: true` on the outer correlation: the spray and the ticket rule report
    // alone; the failures still do not (the spray does not say generate).
    let rules = variant(
        "generate",
        &[(
            "    timespan: 1m\ntags:",
            "    timespan: 1m\n    generate: true\ntags:",
        )],
    );
    let (alerts, stderr) = scan(&rules, &evtx(), "1");
    let mut got = titles(&alerts);
    got.sort();
    assert_eq!(
        got,
        [
            "Kerberos password spray followed by a ticket for the same address",
            "Kerberos password spray from one address",
            "Kerberos ticket granted",
            "Kerberos ticket granted",
        ],
        "{stderr}"
    );
    let spray = alerts
        .iter()
        .find(|a| a["rule_title"] == "Kerberos password spray from one address")
        .unwrap();
    assert_eq!(
        spray["summary"],
        "9 distinct TargetUserName in 9 matches of Kerberos pre-authentication failure for \
         IpAddress=172.16.66.1 from 2020-07-22T20:29:36.414827100Z to \
         2020-07-22T20:29:36.425838200Z (within 1m; condition gte 9)"
    );
    // Evidence: the members, the last first.
    assert_eq!(spray["evidence"].as_array().unwrap().len(), 9);
    assert_eq!(spray["evidence"][0]["position"], "record 10");
}

#[test]
fn threads_and_files_do_not_change_the_answer() {
    // The records as NDJSON, split over two files (the failures in one, the rest in
    // the other, out of time order), read by two threads.
    let fixture = evtx()[0].display().to_string();
    let events = common::whoiswatch(&["events", &fixture]);
    assert!(events.status.success());
    let text = String::from_utf8(events.stdout).unwrap();
    let (failures, rest): (Vec<&str>, Vec<&str>) = text
        .lines()
        .partition(|l| l.contains(r#""Status":"0x6""#) || l.contains(r#""Status":"0x18""#));
    assert_eq!((failures.len(), rest.len()), (9, 3));
    let dir = std::env::temp_dir().join(format!("whoiswatch-corr-split-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let a = dir.join("a.ndjson");
    let b = dir.join("b.ndjson");
    std::fs::write(&a, rest.join("\n") + "\n").unwrap();
    let mut reversed = failures.clone();
    reversed.reverse();
    std::fs::write(&b, reversed.join("\n") + "\n").unwrap();
    let rules = Path::new(FIXTURES).join("kerberos_spray.yml");
    let (split, _) = scan(&rules, &[a, b], "2");
    let (whole, _) = scan(&rules, &evtx(), "1");
    assert_eq!(split.len(), 1);
    assert_eq!(split[0]["summary"], whole[0]["summary"]);
}

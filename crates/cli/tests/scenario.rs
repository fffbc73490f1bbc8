//! End to end on examples/scenario (written by tests/scenario/make.py) with
//! config/example.yml: the four seed tests from each source that records them,
//! allowlisted benign activity of each false-positive category, a burst from an
//! unauthorised host querying the organisation's own domain, an intel hit, and an
//! expired allowlist. Offenses, tiers, suppression reasons and score order are exact.

mod common;

use common::whoiswatch;
use serde_json::Value;

fn scan(format: &str) -> (String, String) {
    let output = whoiswatch(&[
        "scan",
        "--config",
        "config/example.yml",
        "--now",
        "2026-11-24T12:00:00Z",
        "--output",
        format,
        "examples/scenario",
    ]);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "{stderr}");
    (String::from_utf8(output.stdout).unwrap(), stderr)
}

/// source, tier, score, alerts, suppressing allowlist, escalation codes.
type Row = (String, Option<u64>, u64, usize, Option<String>, Vec<String>);

fn codes(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn offenses_tiers_suppression_and_order() {
    let (stdout, stderr) = scan("json");
    assert!(stderr.contains("0 records skipped"), "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let offenses = report["offenses"].as_array().unwrap();
    let rows: Vec<Row> = offenses
        .iter()
        .map(|o| {
            (
                o["source"].as_str().unwrap().to_string(),
                o["tier"].as_u64(),
                o["score"].as_u64().unwrap(),
                o["alerts"].as_u64().unwrap() as usize,
                o["suppressed_by"]["allowlist"].as_str().map(str::to_string),
                codes(&o["escalation"]),
            )
        })
        .collect();
    let s = |x: &str| x.to_string();
    let expected = vec![
        // The proxy/DNS burst: 13 lookups, 6 services, the company's own domain and block.
        (
            s("10.1.7.7"),
            Some(2),
            10,
            13,
            None,
            vec![s("active-reconnaissance")],
        ),
        // Seed tests 2 and 3 on one workstation, on its own network.
        (
            s("ws-fin07"),
            Some(2),
            10,
            6,
            None,
            vec![s("active-reconnaissance")],
        ),
        // Seed test 1 (auditd) on a server.
        (
            s("web01"),
            Some(2),
            10,
            2,
            None,
            vec![s("unauthorised-source")],
        ),
        // An allowlisted administrator looking up a phishing domain: intel overrides.
        (s("ws-it02"), Some(2), 7, 1, None, vec![s("intel-match")]),
        // Seed test 4 and a client on port 4343; the expired allowlist does not apply.
        (s("dev03"), Some(1), 9, 3, None, vec![]),
        (
            s("10.9.0.15"),
            None,
            8,
            2,
            Some(s("qualys-scanners")),
            vec![],
        ),
        (
            s("10.20.0.31"),
            None,
            8,
            2,
            Some(s("soc-analyst-network")),
            vec![],
        ),
        (
            s("ws-it02"),
            None,
            6,
            1,
            Some(s("it-admins")),
            vec![s("active-reconnaissance")],
        ),
        (
            s("ci-runner-01"),
            None,
            6,
            1,
            Some(s("ci-dns-checks")),
            vec![s("active-reconnaissance")],
        ),
    ];
    assert_eq!(rows, expected);
    let summary = &report["summary"];
    assert_eq!(summary["tier2"], 4);
    assert_eq!(summary["tier1"], 1);
    assert_eq!(summary["suppressed"], 4);
    assert!(summary["notes"][0]
        .as_str()
        .unwrap()
        .contains("`old-pentest` matched but expired"));

    // Tier 2 offenses carry the playbook with follow-on activity and containment.
    let fin07 = &offenses[1];
    let lateral = fin07["playbook"]["t2_actions"][0]["facts"].to_string();
    assert!(
        lateral.contains("SMB connection to 10.1.9.20:445"),
        "{lateral}"
    );
    assert!(
        lateral.contains("RDP connection to 10.1.9.21:3389"),
        "{lateral}"
    );
    let commands = fin07["playbook"]["containment"]["commands"].to_string();
    assert!(commands.contains("New-NetFirewallRule"), "{commands}");
    let burst = &offenses[0];
    let commands = burst["playbook"]["containment"]["commands"].to_string();
    assert!(
        commands.contains("ip saddr 10.1.7.7 tcp dport 43"),
        "{commands}"
    );
    assert!(
        commands.contains("acl whoiswatch_whois dstdomain"),
        "{commands}"
    );
    assert!(codes(&burst["reasons"]).contains(&s("victim")));
    assert_eq!(offenses[3]["intel"][0]["entry"], "phish-kit.example");
    // Tier 1 and suppressed offenses get no T2 actions or containment.
    assert!(offenses[4]["playbook"]["t2_actions"]
        .as_array()
        .unwrap()
        .is_empty());
    assert!(offenses[5]["playbook"]["containment"]["commands"]
        .as_array()
        .unwrap()
        .is_empty());
}

/// Each seed test is seen by every source in the scenario that records it.
#[test]
fn every_seed_test_is_detected_from_each_source() {
    let (stdout, _) = scan("ndjson");
    let alerts: Vec<Value> = common::ndjson(&stdout);
    let rules_of = |source: &str| -> Vec<String> {
        let mut rules: Vec<String> = alerts
            .iter()
            .filter(|a| a["source"] == source && !a["suppressed"].as_bool().unwrap())
            .map(|a| a["rule_title"].as_str().unwrap().to_string())
            .collect();
        rules.sort();
        rules.dedup();
        rules
    };
    // Test 1 from auditd alone: execve and connect.
    assert_eq!(
        rules_of("web01"),
        [
            "Outbound Connection to the WHOIS Port (TCP/43)",
            "WHOIS or RDAP Client Executed"
        ]
    );
    // Tests 2 and 3: Sysmon 1, 22, 3 and 4104 each.
    assert_eq!(
        rules_of("ws-fin07"),
        [
            "Command Line WHOIS or RDAP Lookup via PowerShell",
            "DNS Lookup of a WHOIS Server or RDAP Service",
            "Outbound Connection to the WHOIS Port (TCP/43)",
            "PowerShell WHOIS or RDAP Lookup",
        ]
    );
    // Test 4 (Sysmon for Linux 1 and 3) and `whois -p 4343`.
    assert_eq!(
        rules_of("dev03"),
        [
            "Outbound Connection to the WHOIS Port (TCP/43)",
            "Script Interpreter Opening a WHOIS Connection",
            "WHOIS or RDAP Client Executed",
        ]
    );
    assert!(
        alerts
            .iter()
            .any(|a| a["source"] == "dev03"
                && a["command"].as_str().unwrap_or("").contains("-p 4343"))
    );
    // RDAP over HTTPS without port 43: proxy and DNS server logs.
    assert_eq!(
        rules_of("10.1.7.7"),
        [
            "DNS Server Log of a WHOIS Server or RDAP Service Lookup",
            "Proxy Access to an RDAP or Web WHOIS Service"
        ]
    );
    // Every alert has the documented keys.
    for key in [
        "rule_id",
        "rule_title",
        "technique",
        "score",
        "tier",
        "suppressed",
        "suppressed_by",
        "offense_id",
        "host",
        "source_ip",
        "user",
        "destination_ip",
        "destination_port",
        "destination_host",
        "first_seen",
        "last_seen",
        "evidence",
    ] {
        assert!(alerts.iter().all(|a| a.get(key).is_some()), "{key}");
    }
}

#[test]
fn csv_and_html_reports() {
    let (csv, _) = scan("csv");
    let (ndjson, _) = scan("ndjson");
    assert_eq!(ndjson.lines().count(), 31);
    assert_eq!(csv.lines().count(), 1 + 31);
    assert!(csv.starts_with("offense_id,tier,score,"));
    let (html, _) = scan("html");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("Example Corp"));
    assert!(html.contains("<svg"));
    assert!(!html.contains("<script src") && !html.contains("<link"));
}

/// The seed's QRadar query beside the pack on the same scenario: it returns the five
/// TCP/43 events and nothing the pack misses; it misses test 2 (RDAP over HTTPS, from
/// DNS, proxy and Zeek TLS), WHOIS client execution and `whois.arin.net` lookups.
#[test]
fn seed_query_side_by_side_shows_what_it_misses() {
    let output = whoiswatch(&[
        "scan",
        "--config",
        "config/example.yml",
        "--now",
        "2026-11-24T12:00:00Z",
        "--compare-seed",
        "--output",
        "table",
        "examples/scenario",
    ]);
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    let part = &stdout[stdout
        .find("Side by side with the seed's QRadar query")
        .expect("the comparison follows the table")..];
    for line in [
        "window 2026-11-23T12:00:00Z .. 2026-11-24T12:00:00Z",
        "seed query: 5 events;  whoiswatch: 31 alerts in 9 offenses, of which the seed query \
         returns the events of 5 alerts in 4 offenses",
        "10.1.7.7  tier 2, score 10: DNS Server Log of a WHOIS Server or RDAP Service Lookup ×6; \
         Proxy Access to an RDAP or Web WHOIS Service ×7",
        "10.20.0.31  suppressed, score 8: Zeek TLS Session to an RDAP or Web WHOIS Service ×2",
        "ws-fin07: Command Line WHOIS or RDAP Lookup via PowerShell ×2; DNS Lookup of a WHOIS \
         Server or RDAP Service ×2; PowerShell WHOIS or RDAP Lookup ×1",
        "events the seed query returns that the pack does not alert on: none",
    ] {
        assert!(part.contains(line), "{line}\nnot in\n{part}");
    }
    // The same comparison from the seed query itself: five rows, all TCP/43.
    let query = whoiswatch(&[
        "query",
        "--file",
        "content/queries/t1596_002_whois.aql",
        "--now",
        "2026-11-24T12:00:00Z",
        "-o",
        "csv",
        "examples/scenario",
    ]);
    let rows = String::from_utf8(query.stdout).unwrap();
    assert_eq!(rows.lines().count(), 6, "{rows}");
    assert!(!rows.contains("rdap"), "{rows}");
}

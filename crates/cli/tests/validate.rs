//! `whoiswatch validate` and `simulate`: every test and source passes on simulated
//! telemetry; switching off any one rule of the pack makes exactly its lines fail;
//! `validate --test N` on real-looking logs with evidence removed names what is missing.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{scan_alerts, whoiswatch};

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn temp(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("whoiswatch-validate-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn pack_rules() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../content/rules");
    let mut stems: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter_map(|e| {
            e.file_name()
                .to_str()?
                .strip_suffix(".yml")
                .map(str::to_string)
        })
        .collect();
    stems.sort();
    stems
}

#[test]
fn every_test_and_source_passes_and_the_seed_words_are_there() {
    let output = whoiswatch(&["validate"]);
    let text = stdout(&output);
    assert!(output.status.success(), "{text}");
    assert!(!text.contains("FAIL"), "{text}");
    let passes = text
        .lines()
        .filter(|l| l.trim_start().starts_with("PASS"))
        .count();
    assert!(passes >= 90, "{passes} PASS lines\n{text}");
    for words in [
        "Test 1  Linux WHOIS Command-Line Domain Lookup",
        "Test 2  Windows PowerShell RDAP API Lookup via Invoke-RestMethod",
        "Test 3  Windows PowerShell Direct TCP WHOIS Query on Port 43",
        "Test 4  Python Socket-Based WHOIS Query on Port 43",
        "Sysmon Event ID 3: Network Connection with Image=powershell.exe, DestinationIp=<whois.iana.org resolved IP>, DestinationPort=43, Protocol=tcp",
        "Linux auditd (if configured): EXECVE record showing whois command",
        "whois client on a port other than 43",
    ] {
        assert!(text.contains(words), "missing {words:?}");
    }
    // Every rule of the pack passes at least one line.
    for rule in pack_rules() {
        assert!(
            text.lines()
                .any(|l| l.contains("PASS") && l.contains(&format!("({rule})"))),
            "no line passes through {rule}"
        );
    }
    // The 22↔3 join: test 2's 443 connection (a PTR name) is reported by the alert of
    // the Sysmon 22 lookup that resolved it, in each Windows dialect.
    let joined = text
        .split("Sysmon Event ID 3: Network connection from powershell.exe to rdap.arin.net")
        .nth(1)
        .unwrap();
    let joined: Vec<&str> = joined.lines().skip(1).take(3).collect();
    assert!(
        joined
            .iter()
            .all(|l| l.contains("PASS") && l.contains("(dns_query_whois_servers)")),
        "{joined:?}"
    );
    // The coverage table: every seed test is detected by some source.
    let table = text.split("Coverage:").nth(1).unwrap();
    for column in 0..4 {
        assert!(
            table.lines().skip(2).any(|row| {
                let cells: Vec<&str> = row.split_whitespace().rev().take(4).collect();
                cells.len() == 4 && cells[3 - column] == "yes"
            }),
            "test {} detected by no source",
            column + 1
        );
    }
}

#[test]
fn switching_off_any_one_rule_fails_exactly_its_lines() {
    for rule in pack_rules() {
        let output = whoiswatch(&["validate", "--disable-rule", &rule]);
        let text = stdout(&output);
        assert_eq!(output.status.code(), Some(1), "{rule}: exit\n{text}");
        let failed: Vec<&str> = text
            .lines()
            .filter(|l| l.trim_start().starts_with("FAIL"))
            .collect();
        assert!(!failed.is_empty(), "{rule}: nothing failed");
        for line in &failed {
            // A rule line names the missing rule; a false-positive category line fails
            // when the rule was its only evidence.
            assert!(
                line.contains(&format!("no alert of {rule} (disabled)"))
                    || line.contains("no alert suppressed as"),
                "{rule}: unexpected failure {line}"
            );
        }
    }
}

#[test]
fn an_unknown_rule_to_switch_off_is_an_error() {
    let output = whoiswatch(&["validate", "--disable-rule", "no_such_rule"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr.clone()).unwrap();
    assert!(stderr.contains("no_such_rule"), "{stderr}");
}

fn simulate_test_2(dir: &Path) {
    let output = whoiswatch(&[
        "simulate",
        "--out",
        dir.to_str().unwrap(),
        "--behaviour",
        "test-2",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn real_logs_with_all_evidence_are_all_detected() {
    let dir = temp("full");
    simulate_test_2(&dir);
    let output = whoiswatch(&[
        "validate",
        "--test",
        "2",
        dir.join("logs/test-2").to_str().unwrap(),
    ]);
    let text = stdout(&output);
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains("7 of 7 expected signals present, 7 detected."),
        "{text}"
    );
    assert!(!text.contains("MISSING"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn real_logs_with_evidence_removed_say_exactly_what_is_missing() {
    let dir = temp("partial");
    simulate_test_2(&dir);
    let logs = dir.join("logs/test-2");
    // This host collects no Sysmon 22, no script blocks, and the network logs are not
    // part of the capture: only Sysmon 1, 3 and Security, as Windows Event XML.
    for entry in std::fs::read_dir(&logs).unwrap().flatten() {
        if entry.file_name() != "windows-events.xml" {
            std::fs::remove_file(entry.path()).unwrap();
        }
    }
    let path = logs.join("windows-events.xml");
    let kept: String = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .filter(|l| !l.contains("<EventID>22</EventID>") && !l.contains("<EventID>4104</EventID>"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&path, kept).unwrap();
    let output = whoiswatch(&["validate", "--test", "2", logs.to_str().unwrap()]);
    let text = stdout(&output);
    // The 443 connection is there but, without its DNS lookup, nothing can tell it is
    // RDAP: present, not detected, exit 1.
    assert_eq!(output.status.code(), Some(1), "{text}");
    let missing: Vec<&str> = text
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("MISSING"))
        .map(str::trim)
        .collect();
    assert_eq!(
        missing,
        [
            "no DNS evidence: Sysmon Event 22 is not collected on this host",
            "no script evidence: PowerShell script block logging (Event ID 4104) is not enabled",
            "no web evidence: no proxy log, Zeek ssl or Zeek http shows the request",
            "no DNS evidence: no resolver log (BIND, dnsmasq, Windows DNS, Zeek dns) shows the lookup",
        ],
        "{text}"
    );
    assert!(
        text.contains("3 of 7 expected signals present, 2 detected."),
        "{text}"
    );
    assert!(text.contains("PRESENT"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn navigator_layer_scores_the_four_tests() {
    let dir = temp("layer");
    std::fs::create_dir_all(&dir).unwrap();
    let layer = dir.join("layer.json");
    let output = whoiswatch(&["validate", "--navigator", layer.to_str().unwrap()]);
    assert!(output.status.success());
    let value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&layer).unwrap()).unwrap();
    assert_eq!(value["domain"], "enterprise-attack");
    let technique = &value["techniques"][0];
    assert_eq!(technique["techniqueID"], "T1596.002");
    assert_eq!(technique["score"], 4);
    assert_eq!(technique["metadata"].as_array().unwrap().len(), 4);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn simulate_writes_what_scan_then_reads_without_errors() {
    let dir = temp("scan");
    let output = whoiswatch(&["simulate", "--out", dir.to_str().unwrap(), "--seed", "7"]);
    assert!(output.status.success());
    assert!(dir.join("MANIFEST.tsv").exists());
    let config = dir.join("whoiswatch.yml");
    let (alerts, stderr) = scan_alerts(&[
        "--config",
        config.to_str().unwrap(),
        "--now",
        "2026-11-24T12:00:00Z",
        dir.join("logs").to_str().unwrap(),
    ]);
    assert!(
        stderr.contains(" events read, 0 records skipped, 0 warnings"),
        "{stderr}"
    );
    assert!(alerts.len() > 80, "{} alerts", alerts.len());
    // The 22↔3 join in scan: one alert says what the PTR name hid.
    assert!(alerts.iter().any(|a| a["summary"].as_str().is_some_and(
        |s| s.starts_with("powershell.exe queried rdap.arin.net and connected to it")
    )));
    // Background raises nothing.
    assert!(!alerts.iter().any(|a| a["evidence"][0]["file"]
        .as_str()
        .unwrap()
        .contains("background")));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_corpus_is_streamed_deterministic_ndjson() {
    let dir = temp("corpus");
    std::fs::create_dir_all(&dir).unwrap();
    let a = dir.join("a.ndjson");
    let b = dir.join("b.ndjson");
    for path in [&a, &b] {
        let output = whoiswatch(&[
            "simulate",
            "--events",
            "12000",
            "--out",
            path.to_str().unwrap(),
        ]);
        assert!(output.status.success());
    }
    let text = std::fs::read_to_string(&a).unwrap();
    assert_eq!(text, std::fs::read_to_string(&b).unwrap());
    assert_eq!(text.lines().count(), 12000);
    let output = whoiswatch(&["scan", "-o", "none", "--strict", a.to_str().unwrap()]);
    let stderr = String::from_utf8(output.stderr.clone()).unwrap();
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("12000 events"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn lookups_join_connections_across_files_and_threads() {
    // Test 2's lookup of rdap.arin.net (→ 199.71.0.63) in a resolver's log and the
    // firewall's record of 10.1.4.27 → 199.71.0.63:443 are different files: whichever
    // thread reads which, and in whichever order, the connection joins the lookup's
    // alert. Zeek dns.log holds the answers on the lookup's line; dnsmasq on `reply`
    // lines of their own, which join the `query` line's alert first.
    let dir = temp("join");
    simulate_test_2(&dir);
    let logs = dir.join("logs/test-2");
    let file = |name: &str| logs.join(name);
    for (threads, dns, connection, dns_first) in [
        ("2", "zeek-dns.log", "firewall-netfilter.log", false),
        ("1", "zeek-dns.log", "firewall-netfilter.log", false),
        ("1", "zeek-dns.log", "firewall-cef.log", true),
        ("2", "dns-dnsmasq.log", "firewall-netfilter.log", true),
        ("1", "dns-dnsmasq.log", "firewall-leef.log", false),
    ] {
        let (dns, connection) = (file(dns), file(connection));
        let (first, second) = if dns_first {
            (&dns, &connection)
        } else {
            (&connection, &dns)
        };
        let (alerts, _) = scan_alerts(&[
            "--threads",
            threads,
            first.to_str().unwrap(),
            second.to_str().unwrap(),
        ]);
        let dns_name = dns.to_str().unwrap();
        let lookup = alerts
            .iter()
            .find(|a| a["evidence"][0]["file"] == dns_name)
            .unwrap_or_else(|| panic!("{alerts:?}"));
        assert_eq!(
            lookup["summary"],
            "10.1.4.27 queried rdap.arin.net and connected to it (199.71.0.63:443)",
            "{threads} threads, {first:?} first"
        );
        let evidence = lookup["evidence"].as_array().unwrap();
        assert_eq!(
            evidence.last().unwrap()["file"],
            connection.to_str().unwrap()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn windows_dns_details_give_answers_that_join_a_firewall_connection() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/windows-dns-details"
    );
    let (dns, firewall) = (
        format!("{dir}/dns-debug.log"),
        format!("{dir}/netfilter.log"),
    );
    let (alerts, stderr) = scan_alerts(&["--threads", "2", "--strict", &firewall, &dns]);
    assert!(
        stderr.contains("dns-debug.log: windows-dns, 2 events"),
        "{stderr}"
    );
    let summaries: Vec<Option<&str>> = alerts.iter().map(|a| a["summary"].as_str()).collect();
    // The query has no answers; the response does, and the connection joins it.
    assert_eq!(
        summaries,
        [
            None,
            Some("10.1.4.27 queried rdap.arin.net and connected to it (199.71.0.63:443)")
        ]
    );
}

#[test]
fn a_large_file_shared_by_two_readers_gives_the_one_reader_answer() {
    // ~90 MB of NDJSON (over the 64 MB at which scan cuts a file for several readers):
    // two readers must find exactly what one finds, and count the same records.
    let dir = temp("split");
    std::fs::create_dir_all(&dir).unwrap();
    let corpus = dir.join("corpus.ndjson");
    let output = whoiswatch(&[
        "simulate",
        "--events",
        "100000",
        "--out",
        corpus.to_str().unwrap(),
    ]);
    assert!(output.status.success());
    assert!(std::fs::metadata(&corpus).unwrap().len() > 64 << 20);
    let scan = |threads: &str| {
        let output = whoiswatch(&[
            "scan",
            "--threads",
            threads,
            "-o",
            "ndjson",
            "--now",
            "2026-11-25T00:00:00Z",
            corpus.to_str().unwrap(),
        ]);
        let stderr = String::from_utf8(output.stderr.clone()).unwrap();
        assert!(output.status.success(), "{stderr}");
        let total = stderr
            .lines()
            .find(|l| l.starts_with("total:"))
            .unwrap()
            .to_string();
        (stdout(&output), total)
    };
    let (one, one_total) = scan("1");
    let (two, two_total) = scan("2");
    assert!(one.lines().count() >= 10, "{one}");
    assert_eq!(one, two);
    assert_eq!(one_total, two_total);
    // AQL too: rows in file order with a LIMIT that ends in the second half, and groups
    // whose non-aggregated column takes the first value seen.
    let query = |threads: &str, aql: &str| {
        let output = whoiswatch(&[
            "query",
            "--threads",
            threads,
            "-o",
            "csv",
            aql,
            corpus.to_str().unwrap(),
        ]);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        stdout(&output)
    };
    for aql in [
        "SELECT sourceip, destinationport, eventid FROM events WHERE eventid = 3 LIMIT 30000",
        "SELECT hostname, sourceip, COUNT(*) AS n, FIRST(destinationip) AS first \
         FROM events GROUP BY hostname ORDER BY n DESC, hostname LIMIT 20",
    ] {
        let one = query("1", aql);
        assert!(one.lines().count() > 10, "{aql}: {one}");
        assert_eq!(one, query("2", aql), "{aql}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

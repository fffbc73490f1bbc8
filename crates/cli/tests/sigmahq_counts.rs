//! Every SigmaHQ rule over every EVTX sample and OTRF archive of ../shared/data: the run
//! ends normally, and each rule's match count equals the one recorded in
//! `tests/sigmahq/match_counts.tsv`, so a change that moves a count shows up here, rule by
//! rule. After a deliberate change, rewrite the record with
//! `WHOISWATCH_BLESS=1 cargo test --release -p whoiswatch --test sigmahq_counts` and
//! commit the diff with the reason.
//!
//! Needs ../shared beside the repository (CI has it); skips, saying so, where it is absent.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::whoiswatch;

const RECORD: &str = "tests/sigmahq/match_counts.tsv";

/// rule file (relative to the rules directory) → (id, title, matches).
type Counts = BTreeMap<String, (String, String, u64)>;

fn parse(text: &str, prefix: &str) -> Counts {
    text.lines()
        .skip(1)
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), 4, "bad line {line:?}");
            let file = fields[3].strip_prefix(prefix).unwrap_or(fields[3]);
            (
                file.to_string(),
                (
                    fields[1].to_string(),
                    fields[2].to_string(),
                    fields[0].parse().unwrap(),
                ),
            )
        })
        .collect()
}

fn render(counts: &Counts) -> String {
    let mut text = String::from("matches\trule_id\ttitle\tfile\n");
    for (file, (id, title, n)) in counts {
        text.push_str(&format!("{n}\t{id}\t{title}\t{file}\n"));
    }
    text
}

#[test]
fn sigmahq_match_counts_on_real_logs_are_as_recorded() {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let shared = root.join("../shared/data");
    if !shared.join("sigma/rules").exists() {
        eprintln!(
            "SKIPPED: {} is absent (a fresh clone without ../shared)",
            shared.display()
        );
        return;
    }
    let out = std::env::temp_dir().join(format!("whoiswatch-counts-{}.tsv", std::process::id()));
    let output = whoiswatch(&[
        "scan",
        "-q",
        "-o",
        "none",
        "--threads",
        "2",
        "-r",
        "../shared/data/sigma/rules",
        "--rule-counts",
        out.to_str().unwrap(),
        "../shared/data/evtx",
        "../shared/data/otrf",
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // 0, or 1 because the sample directories hold a few files that are not logs.
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{:?}\n{stderr}",
        output.status
    );
    let total = stderr.lines().find(|l| l.starts_with("total:")).unwrap();
    assert!(total.contains("707471 events read"), "{total}");
    let found = parse(
        &std::fs::read_to_string(&out).unwrap(),
        "../shared/data/sigma/rules/",
    );
    let _ = std::fs::remove_file(&out);
    assert!(found.len() > 3000, "only {} rules loaded", found.len());
    let record_path = root.join(RECORD);
    if std::env::var_os("WHOISWATCH_BLESS").is_some() {
        std::fs::create_dir_all(record_path.parent().unwrap()).unwrap();
        std::fs::write(&record_path, render(&found)).unwrap();
        eprintln!("wrote {}", record_path.display());
        return;
    }
    let recorded = parse(&std::fs::read_to_string(&record_path).unwrap(), "");
    let mut moved = Vec::new();
    for (file, (_, title, n)) in &found {
        match recorded.get(file) {
            Some((_, _, m)) if m == n => {}
            Some((_, _, m)) => moved.push(format!("{title} ({file}): {m} -> {n}")),
            None => moved.push(format!("{title} ({file}): new rule, {n}")),
        }
    }
    for (file, (_, title, m)) in &recorded {
        if !found.contains_key(file) {
            moved.push(format!("{title} ({file}): {m} -> not loaded"));
        }
    }
    assert!(
        moved.is_empty(),
        "{} rule counts moved (rewrite {RECORD} with WHOISWATCH_BLESS=1 if intended):\n{}",
        moved.len(),
        moved.join("\n")
    );
    let fired = found.values().filter(|(_, _, n)| *n > 0).count();
    let matches: u64 = found.values().map(|(_, _, n)| n).sum();
    eprintln!(
        "{} rules, {fired} fired, {matches} matches: as recorded",
        found.len()
    );
}

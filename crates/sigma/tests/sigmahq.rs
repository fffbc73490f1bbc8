//! SigmaHQ as a peer test: load every rule of ../shared/data/sigma (at least 99% must
//! load, none failing for a feature of the specification), and run each rule that has
//! regression data over that data — its JSON and its EVTX — finding at least the
//! expected number of matches. Needs ../shared beside the repository (CI has it); skips,
//! saying so, where it is absent.

use std::path::{Path, PathBuf};

use whoiswatch_event::Event;
use whoiswatch_ingest::{read_input, Consumer, Input, Options, ParseError};
use whoiswatch_sigma::{LoadOptions, RuleSet};

fn sigma_root() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/sigma");
    if dir.exists() {
        Some(dir)
    } else {
        eprintln!(
            "SKIPPED: {} is absent (a fresh clone without ../shared)",
            dir.display()
        );
        None
    }
}

fn mapping() -> LoadOptions {
    let text = include_str!("../../../content/mappings/sigma.yml");
    LoadOptions {
        mapping: whoiswatch_sigma::parse_mapping(text).unwrap(),
        placeholders: Vec::new(),
        slow_path: false,
    }
}

struct Collect(Vec<Event>);

impl Consumer for Collect {
    fn event(&mut self, event: Event) {
        self.0.push(event);
    }
    fn error(&mut self, _error: &ParseError) {}
}

fn events(path: &Path) -> Vec<Event> {
    let mut collect = Collect(Vec::new());
    let options = Options {
        threads: 1,
        ..Options::default()
    };
    read_input(&Input::File(path.to_path_buf()), &options, &mut collect);
    collect.0
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yml") {
            out.push(path);
        }
    }
}

#[test]
fn all_sigmahq_rules_load_and_pass_their_regression_tests() {
    let Some(root) = sigma_root() else { return };
    let rule_dirs: Vec<PathBuf> = ["rules", "rules-emerging-threats", "rules-threat-hunting"]
        .iter()
        .map(|d| root.join(d))
        .filter(|d| d.exists())
        .collect();
    let loaded = RuleSet::load(&rule_dirs, &[], &mapping());
    let total = loaded.set.len() + loaded.errors.len();
    for error in &loaded.errors {
        eprintln!("not loaded: {error}");
    }
    assert!(
        loaded.set.len() * 100 >= total * 99,
        "only {} of {} rules loaded",
        loaded.set.len(),
        total
    );

    // Rules that carry `regression_tests_path` (commented-out ones do not count).
    let mut rule_files = Vec::new();
    yaml_files(&root.join("rules"), &mut rule_files);
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut rules_with_tests = 0;
    for rule_file in &rule_files {
        let text = std::fs::read_to_string(rule_file).unwrap();
        let Some(info_path) = text
            .lines()
            .find_map(|l| l.strip_prefix("regression_tests_path:"))
            .map(str::trim)
        else {
            continue;
        };
        rules_with_tests += 1;
        let info_text = std::fs::read_to_string(root.join(info_path)).unwrap();
        let doc: serde_json::Value = serde_saphyr::from_str(&info_text).unwrap();
        let rule_id = text
            .lines()
            .find_map(|l| l.strip_prefix("id: "))
            .unwrap()
            .trim()
            .to_string();
        let Some(index) = loaded
            .set
            .rules
            .iter()
            .position(|r| r.meta.id.as_deref() == Some(rule_id.as_str()))
        else {
            failures.push(format!(
                "{rule_id}: rule not loaded ({})",
                rule_file.display()
            ));
            continue;
        };
        let tests = doc["regression_tests_info"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for test in tests {
            let Some(path) = test["path"].as_str() else {
                continue;
            };
            let expected = test["match_count"].as_u64().unwrap_or(1) as usize;
            let evtx = root.join(path);
            for data in [evtx.clone(), evtx.with_extension("json")] {
                if !data.exists() {
                    continue;
                }
                checked += 1;
                let events = events(&data);
                // The JSON beside an EVTX holds one of its records: expect at most that.
                let expected = expected.min(events.len().max(1));
                let mut scanner = loaded.set.scanner();
                let found = events
                    .iter()
                    .filter(|e| scanner.scan(e).contains(&index))
                    .count();
                if found < expected {
                    failures.push(format!(
                        "{} [{}]: {found} of {expected} matches in {} ({} events)",
                        loaded.set.rules[index].meta.title,
                        rule_id,
                        data.display(),
                        events.len()
                    ));
                }
            }
        }
    }
    eprintln!("{rules_with_tests} rules carry regression tests");
    eprintln!(
        "{checked} regression files checked, {} failures",
        failures.len()
    );
    for failure in &failures {
        eprintln!("FAIL {failure}");
    }
    assert!(checked > 350, "only {checked} regression files found");
    assert!(
        failures.is_empty(),
        "{} regression failures",
        failures.len()
    );
}

/// The literal-set fast path (hash sets and Aho-Corasick over many values) and the slow
/// path (each value compared on its own) give the same hits, rule by rule, on every
/// SigmaHQ rule over every regression file and EVTX sample.
#[test]
fn fast_and_slow_paths_agree_on_sigmahq() {
    let Some(root) = sigma_root() else { return };
    let rule_dirs = vec![root.join("rules")];
    let fast = RuleSet::load(&rule_dirs, &[], &mapping());
    let slow = RuleSet::load(
        &rule_dirs,
        &[],
        &LoadOptions {
            slow_path: true,
            ..mapping()
        },
    );
    assert_eq!(fast.set.len(), slow.set.len());
    let mut files = Vec::new();
    for dir in [root.join("regression_data"), root.join("../evtx")] {
        collect_data(&dir, &mut files);
    }
    let (mut fast_scanner, mut slow_scanner) = (fast.set.scanner(), slow.set.scanner());
    let (mut events_seen, mut hits) = (0, 0);
    for file in &files {
        for event in events(file) {
            events_seen += 1;
            let a = fast_scanner.scan(&event).to_vec();
            let b = slow_scanner.scan(&event).to_vec();
            assert_eq!(a, b, "paths differ on {}", event.origin);
            hits += a.len();
        }
    }
    eprintln!(
        "{} files, {events_seen} events, {hits} hits: both paths agree",
        files.len()
    );
    assert!(events_seen > 1000 && hits > 100);
}

fn collect_data(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_data(&path, out);
        } else if path.extension().is_some_and(|e| e == "evtx" || e == "json") {
            out.push(path);
        }
    }
}

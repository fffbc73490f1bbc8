//! Reads all of ../shared/data/evtx and the OTRF archives: no crash, no internal error,
//! and EVTX event counts equal to the evtx crate's own record iterator.
//! Needs ../shared beside the repository (CI has it); skips, saying so, where it is absent.

use std::path::{Path, PathBuf};

use whoiswatch_event::Event;
use whoiswatch_ingest::{expand_inputs, read_all, Consumer, ErrorKind, Input, Options, ParseError};

struct Count;

impl Consumer for Count {
    fn event(&mut self, _event: Event) {}
    fn error(&mut self, _error: &ParseError) {}
}

fn shared(path: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data")
        .join(path);
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

fn independent_evtx_count(path: &Path) -> u64 {
    let Ok(mut parser) = evtx::EvtxParser::from_path(path) else {
        return 0;
    };
    parser.records_json().filter(|r| r.is_ok()).count() as u64
}

#[test]
fn every_evtx_sample_matches_the_evtx_crate() {
    let Some(dir) = shared("evtx") else { return };
    let (inputs, errors) = expand_inputs(&[dir]);
    assert!(errors.is_empty());
    let inputs: Vec<Input> = inputs
        .into_iter()
        .filter(|i| matches!(i, Input::File(p) if p.extension().is_some_and(|e| e == "evtx")))
        .collect();
    assert!(inputs.len() > 250);
    let options = Options {
        threads: 2,
        ..Options::default()
    };
    let (summary, _) = read_all(&inputs, &options, || Count);
    assert!(!summary.errors_by_kind().contains_key(&ErrorKind::Internal));
    let mut total = 0;
    for (input, file) in inputs.iter().zip(&summary.files) {
        let Input::File(path) = input else {
            unreachable!()
        };
        let expected = independent_evtx_count(path);
        assert_eq!(file.events, expected, "{}", path.display());
        total += expected;
    }
    assert!(total > 20_000, "{total}");
}

#[test]
fn otrf_archives_read_without_internal_errors() {
    let Some(dir) = shared("otrf") else { return };
    let (inputs, _) = expand_inputs(&[dir]);
    let options = Options {
        threads: 2,
        ..Options::default()
    };
    let (summary, _) = read_all(&inputs, &options, || Count);
    assert!(!summary.errors_by_kind().contains_key(&ErrorKind::Internal));
    assert!(summary.events() > 600_000, "{}", summary.events());
    // JSON records that did not parse: the archives hold a few cut lines at most.
    let invalid = summary
        .errors_by_kind()
        .get(&ErrorKind::InvalidJson)
        .copied()
        .unwrap_or(0);
    assert!(invalid < 10, "{invalid}");
}

/// Every event as text, in order, and every error.
#[derive(Default)]
struct Collect {
    lines: Vec<String>,
}

impl Consumer for Collect {
    fn event(&mut self, event: Event) {
        self.lines.push(format!(
            "{:?} {:?}",
            event.origin,
            event.fields().collect::<Vec<_>>()
        ));
    }
    fn error(&mut self, error: &ParseError) {
        self.lines.push(format!("error {error:?}"));
    }
}

#[test]
fn one_evtx_file_read_by_two_threads_gives_the_events_of_one() {
    let Some(dir) = shared("evtx/evtx-crate-samples") else {
        return;
    };
    // The largest samples: many chunks each, so that both threads get some.
    for name in ["security.evtx", "system.evtx", "sysmon.evtx"] {
        let input = vec![Input::File(dir.join(name))];
        let read = |threads| {
            let options = Options {
                threads,
                ..Options::default()
            };
            let (summary, mut consumers) = read_all(&input, &options, Collect::default);
            assert_eq!(consumers.len(), 1, "one file, one reader");
            (summary.events(), consumers.remove(0).lines)
        };
        let (one_count, one) = read(1);
        let (two_count, two) = read(2);
        assert!(one_count > 300, "{name}: {one_count}");
        assert_eq!(one_count, two_count, "{name}");
        assert!(
            one == two,
            "{name}: the events differ between one thread and two"
        );
    }
}

//! Detection alone — events already read and normalized, in memory — with all SigmaHQ
//! rules loaded, one thread: events per second over OTRF Sysmon and Windows events as
//! they come (the first 20,000 of the benchmark file), over process creation events only
//! (Sysmon 1 and Security 4688, where 1,300 rules apply) and over PowerShell module
//! events (4103, with payloads of up to 25 KB). Rule loading and the per-log-source
//! prefilters are built before timing starts.
//!
//! `cargo bench -p whoiswatch-sigma --bench scan`
//!
//! Needs ../shared/data/sigma/rules (says so and stops where it is absent) and uses
//! target/bench-inputs/otrf-sysmon.json when `bench/sigma.sh` has built it, else the
//! NXLog fixtures in tests/fixtures.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use whoiswatch_event::Event;
use whoiswatch_ingest::{read_input, Consumer, Input, Options, ParseError};
use whoiswatch_sigma::{LoadOptions, RuleSet};

struct Collect(Vec<Event>);

impl Consumer for Collect {
    fn event(&mut self, event: Event) {
        self.0.push(event);
    }
    fn error(&mut self, _error: &ParseError) {}
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The events of the NDJSON lines of `source` that `keep` accepts, at most `limit`.
fn events(source: &Path, name: &str, limit: usize, keep: impl Fn(&str) -> bool) -> Vec<Event> {
    let dir = root().join("target/bench-inputs");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let path = dir.join(name);
    let reader = std::io::BufReader::new(std::fs::File::open(source).expect("bench input"));
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).expect("scratch"));
    let mut kept = 0;
    for line in reader.lines() {
        let Ok(line) = line else { continue };
        if kept == limit {
            break;
        }
        if keep(&line) {
            writeln!(out, "{line}").expect("write");
            kept += 1;
        }
    }
    drop(out);
    let options = Options {
        threads: 1,
        ..Options::default()
    };
    let mut collect = Collect(Vec::new());
    read_input(&Input::File(path), &options, &mut collect);
    collect.0
}

fn rules() -> Option<RuleSet> {
    let dir = root().join("../shared/data/sigma/rules");
    if !dir.exists() {
        eprintln!("SKIPPED: {} is absent", dir.display());
        return None;
    }
    let text = include_str!("../../../content/mappings/sigma.yml");
    let options = LoadOptions {
        mapping: whoiswatch_sigma::parse_mapping(text).expect("mapping"),
        ..LoadOptions::default()
    };
    Some(RuleSet::load(&[dir], &[], &options).set)
}

fn bench(c: &mut Criterion) {
    let Some(set) = rules() else { return };
    let built = root().join("target/bench-inputs/otrf-sysmon.json");
    let sources: Vec<PathBuf> = if built.exists() {
        vec![built]
    } else {
        eprintln!(
            "target/bench-inputs/otrf-sysmon.json absent (bench/sigma.sh builds it): fixtures"
        );
        [
            "sysmon3_otrf-nxlog.json",
            "sysmon22_otrf-nxlog.json",
            "ps4103_otrf-nxlog.json",
        ]
        .iter()
        .map(|f| root().join("tests/fixtures").join(f))
        .collect()
    };
    let mut mixed = Vec::new();
    let mut process = Vec::new();
    let mut module = Vec::new();
    for source in &sources {
        mixed.extend(events(source, "sigma-bench-mixed.json", 20_000, |_| true));
        process.extend(events(source, "sigma-bench-process.json", 5_000, |line| {
            line.contains("\"EventID\":1,") || line.contains("\"EventID\":4688,")
        }));
        module.extend(events(source, "sigma-bench-module.json", 5_000, |line| {
            line.contains("\"EventID\":4103,")
        }));
    }
    let mut group = c.benchmark_group("sigmahq_rules");
    group.sample_size(20);
    let groups = [
        ("otrf_mixed", &mixed),
        ("process_creation", &process),
        ("powershell_module", &module),
    ];
    for (name, events) in groups {
        if events.is_empty() {
            continue;
        }
        let mut scanner = set.scanner();
        group.throughput(Throughput::Elements(events.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| events.iter().map(|e| scanner.scan(e).len()).sum::<usize>())
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

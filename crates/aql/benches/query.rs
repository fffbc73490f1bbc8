//! Query execution alone (events already parsed), one thread: the seed query verbatim,
//! a GROUP BY, and ORDER BY with LIMIT, over 200,000 generated QRadar-column events.
//! Parsing is measured by `whoiswatch-ingest`'s bench; the whole binary against DuckDB
//! by `bench/query.sh`.
//!
//! `cargo bench -p whoiswatch-aql --bench query`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use whoiswatch_aql::{compile, Env, Owned};
use whoiswatch_event::Event;
use whoiswatch_ingest::{Consumer, Options, ParseError};
use whoiswatch_reference::ReferenceData;

const SEED: &str = include_str!("../../../content/queries/t1596_002_whois.aql");
const NOW: i64 = 1_795_521_600_000;
const EVENTS: usize = 200_000;

struct Collect(Vec<Event>);

impl Consumer for Collect {
    fn event(&mut self, event: Event) {
        self.0.push(event);
    }
    fn error(&mut self, _error: &ParseError) {}
}

/// Deterministic events in the shape `bench/aql_events.py` writes.
fn events() -> Vec<Event> {
    let mut state: u64 = 7;
    let mut next = |n: u64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) % n
    };
    // Index 5 (most events) is an ordinary site; 0, 1 and 3 are on the seed's list.
    let hosts = [
        "who.is",
        "WHOIS.DomainTools.com",
        "rdap.arin.net",
        "RIPE.NET",
        "www.site2.example.com",
        "www.site1.example.com",
    ];
    let types = [12, 11, 46, 185, 4, 105, 18];
    let ports = [443, 80, 53, 22, 43, 4343];
    let mut text = String::new();
    for _ in 0..EVENTS {
        let start = NOW - next(48 * 3_600_000) as i64;
        text.push_str(&format!(
            "{{\"starttime\":{start},\"devicetime\":{},\"logsourceid\":{id},\"logsourcename\":\"host-{id}\",\"devicetype\":{},\"sourceip\":\"10.0.{}.{}\",\"destinationip\":\"192.0.2.{}\",\"destinationport\":{},\"username\":\"user{}\",\"destinationhostname\":\"{}\"}}\n",
            start - 1000,
            types[next(7) as usize],
            next(256),
            next(256),
            next(256),
            ports[next(6) as usize],
            next(300),
            hosts[next(60).min(5) as usize],
            id = next(40),
        ));
    }
    let mut collect = Collect(Vec::new());
    whoiswatch_ingest::read_reader(
        "bench",
        Box::new(std::io::Cursor::new(text.into_bytes())),
        &Options::default(),
        &mut collect,
    );
    collect.0
}

fn run(query: &str, events: &[Event], reference: &ReferenceData) -> u64 {
    let plan = compile(query, reference).expect("valid query");
    let mut rows = 0u64;
    let mut sink = |_row: &[Owned]| rows += 1;
    let env = Env {
        now_millis: NOW,
        reference,
    };
    whoiswatch_aql::run(&plan, env, events, &mut sink);
    rows
}

fn bench(c: &mut Criterion) {
    let events = events();
    let reference = ReferenceData::default();
    let mut group = c.benchmark_group("aql");
    group.sample_size(10);
    group.throughput(Throughput::Elements(events.len() as u64));
    let queries = [
        ("seed query verbatim", SEED.to_string()),
        (
            "group by sourceip",
            "SELECT sourceip, COUNT(*) AS n, MAX(destinationport) FROM events GROUP BY sourceip"
                .to_string(),
        ),
        (
            "order by + limit 100",
            "SELECT sourceip, starttime FROM events ORDER BY starttime DESC LIMIT 100".to_string(),
        ),
    ];
    for (name, query) in &queries {
        group.bench_function(*name, |b| b.iter(|| run(query, &events, &reference)));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! Shared by the integration tests: read events from text with our own parsers, run a
//! compiled query on one thread and on two, render rows as text.

#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use whoiswatch_aql::datum::format_float;
use whoiswatch_aql::{Datum, Env, Executor, Owned, Plan, Stats};
use whoiswatch_event::Event;
use whoiswatch_ingest::{Consumer, Options, ParseError};

struct Collect {
    events: Vec<Event>,
    errors: Vec<String>,
}

impl Consumer for Collect {
    fn event(&mut self, event: Event) {
        self.events.push(event);
    }
    fn error(&mut self, error: &ParseError) {
        self.errors.push(error.to_string());
    }
}

/// Events parsed from `text` (any format our parsers sniff); parse errors fail the test.
pub fn read_events(name: &str, text: &str) -> Vec<Event> {
    let mut collect = Collect {
        events: Vec::new(),
        errors: Vec::new(),
    };
    let options = Options::default();
    whoiswatch_ingest::read_reader(
        name,
        Box::new(std::io::Cursor::new(text.as_bytes().to_vec())),
        &options,
        &mut collect,
    );
    assert!(collect.errors.is_empty(), "{name}: {:?}", collect.errors);
    collect.events
}

/// A cell as the case files write it: NULL, numbers as AQL prints them, text as is.
pub fn cell(datum: &Owned) -> String {
    match datum {
        Datum::Null => "NULL".to_string(),
        Datum::Integer(n) => n.to_string(),
        Datum::Float(x) => format_float(*x),
        Datum::Text(t) => t.to_string(),
        Datum::Boolean(b) => b.to_string(),
        Datum::Ip(ip) => ip.to_string(),
    }
}

/// All events as one input on one thread.
pub fn run_single(plan: &Plan, env: Env<'_>, events: &[Event]) -> (Vec<Vec<String>>, Stats) {
    let rows = Mutex::new(Vec::new());
    let mut sink = |row: &[Owned]| {
        rows.lock()
            .unwrap()
            .push(row.iter().map(cell).collect::<Vec<_>>())
    };
    let stats = whoiswatch_aql::run(plan, env, events, &mut sink);
    (rows.into_inner().unwrap(), stats)
}

/// Every event its own input, spread over two threads in whatever order they run.
pub fn run_parallel(plan: &Plan, env: Env<'_>, events: &[Event]) -> Vec<Vec<String>> {
    let rows = Mutex::new(Vec::new());
    let mut sink = |row: &[Owned]| {
        rows.lock()
            .unwrap()
            .push(row.iter().map(cell).collect::<Vec<_>>())
    };
    {
        let executor = Executor::new(plan, env, &mut sink);
        let next = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..2 {
                scope.spawn(|| {
                    let mut worker = executor.worker();
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(event) = events.get(index) else {
                            break;
                        };
                        worker.begin(index);
                        worker.push(event);
                        worker.end(index);
                    }
                });
            }
        });
        executor.finish();
    }
    rows.into_inner().unwrap()
}

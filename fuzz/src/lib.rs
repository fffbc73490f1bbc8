//! Shared driver of the fuzz targets: feed bytes through the ingest front door, with or
//! without a forced format, and check the one invariant that matters — it returns.

use std::sync::OnceLock;

use whoiswatch_event::Event;
use whoiswatch_ingest::{read_reader, Consumer, Format, Options, ParseError};
use whoiswatch_sigma::{LoadOptions, RuleSet};

struct Discard;

impl Consumer for Discard {
    fn event(&mut self, _event: Event) {}
    fn error(&mut self, _error: &ParseError) {}
}

pub fn parse(data: &[u8], format: Option<Format>) {
    let options = Options {
        format,
        threads: 1,
        max_record_bytes: 1 << 20,
        ..Options::default()
    };
    let (_summaries, _stop) = read_reader("fuzz", Box::new(data), &options, &mut Discard);
}

#[path = "../../crates/ingest/tests/support/two_step.rs"]
mod two_step;

/// JSON lines read in full and in two steps (as queries read) give the same events and
/// errors.
pub fn two_step_agrees(data: &[u8]) {
    two_step::same_reading(data);
}

struct Collect(Vec<Event>);

impl Consumer for Collect {
    fn event(&mut self, event: Event) {
        self.0.push(event);
    }
    fn error(&mut self, _error: &ParseError) {}
}

/// The repository's Windows fixtures (Sysmon 1, 3, 22, PowerShell 4103 and 4104) as
/// events, read once.
fn fixture_events() -> &'static [Event] {
    static EVENTS: OnceLock<Vec<Event>> = OnceLock::new();
    EVENTS.get_or_init(|| {
        let fixtures: [&[u8]; 6] = [
            include_bytes!("../../tests/fixtures/sysmon1_evtx-crate.xml"),
            include_bytes!("../../tests/fixtures/sysmon3_otrf-nxlog.json"),
            include_bytes!("../../tests/fixtures/sysmon22_otrf-nxlog.json"),
            include_bytes!("../../tests/fixtures/sysmon22_evtx-crate.xml"),
            include_bytes!("../../tests/fixtures/ps4103_otrf-nxlog.json"),
            include_bytes!("../../tests/fixtures/ps4104_evtx-crate.xml"),
        ];
        let mut collect = Collect(Vec::new());
        for fixture in fixtures {
            let options = Options {
                threads: 1,
                ..Options::default()
            };
            read_reader("fixture", Box::new(fixture), &options, &mut collect);
        }
        collect.0
    })
}

/// A rule file loaded with and without the prefilter and literal sets (the fast and
/// slow paths) matches the same fixture events with the same rules.
pub fn sigma_paths_agree(data: &[u8]) {
    let text = String::from_utf8_lossy(data).into_owned();
    let load = |slow_path| {
        let options = LoadOptions {
            slow_path,
            ..LoadOptions::default()
        };
        RuleSet::load(&[], &[("fuzz.yml".to_string(), text.clone())], &options).set
    };
    let (fast, slow) = (load(false), load(true));
    let (mut fast_scanner, mut slow_scanner) = (fast.scanner(), slow.scanner());
    for event in fixture_events() {
        let fast_hits = fast_scanner.scan(event).to_vec();
        assert_eq!(fast_hits, slow_scanner.scan(event), "{text}");
    }
}

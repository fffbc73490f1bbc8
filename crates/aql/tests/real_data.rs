//! The seed query on real public logs from `../shared/data` (Zeek, OTRF Windows
//! datasets, auditd), its rows checked against a computation in this file that does not
//! use the AQL engine. Skips, saying so, where `../shared` is absent (a fresh clone).

mod support;

use std::path::{Path, PathBuf};

use whoiswatch_aql::{compile, Env};
use whoiswatch_event::{Event, FieldId};
use whoiswatch_ingest::{Consumer, Options, ParseError};
use whoiswatch_reference::ReferenceData;

const SEED: &str = include_str!("../../../content/queries/t1596_002_whois.aql");

fn shared() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("SKIPPED: ../shared/data is absent (a fresh clone); CI always has it");
        None
    }
}

fn inputs(data: &Path) -> Vec<PathBuf> {
    let mut paths = vec![
        data.join("zeek/zeek-json"),
        data.join("formats/zeek_conn_otrf-json.log"),
        data.join("formats/zeek_dns_tsv_zed.log"),
        data.join("formats/zeek_ssl_tsv_zed.log"),
        data.join("auditd"),
        data.join("formats/sysmon3_otrf-nxlog.json"),
        data.join("formats/sysmon22_otrf-nxlog.json"),
    ];
    for zip in [
        "credential_access/host/covenant_dcsync_dcerpc_drsuapi_DsGetNCChanges.zip",
        "credential_access/host/cmd_psexec_lsa_secrets_dump.zip",
        "credential_access/host/cmd_sam_copy_esentutl.zip",
        "collection/host/msf_record_mic.zip",
    ] {
        paths.push(data.join("otrf/atomic/windows").join(zip));
    }
    paths
}

struct Collect(Vec<Event>);

impl Consumer for Collect {
    fn event(&mut self, event: Event) {
        self.0.push(event);
    }
    fn error(&mut self, _error: &ParseError) {}
}

fn read(paths: &[PathBuf]) -> Vec<Event> {
    let (inputs, errors) = whoiswatch_ingest::expand_inputs(paths);
    assert!(errors.is_empty(), "{errors:?}");
    let options = Options {
        threads: 1,
        ..Options::default()
    };
    let (_, consumers) = whoiswatch_ingest::read_all(&inputs, &options, || Collect(Vec::new()));
    consumers.into_iter().flat_map(|c| c.0).collect()
}

fn run(query: &str, now: i64, events: &[Event]) -> Vec<Vec<String>> {
    let reference = ReferenceData::default();
    let plan = compile(query, &reference).unwrap();
    let env = Env {
        now_millis: now,
        reference: &reference,
    };
    let (rows, _) = support::run_single(&plan, env, events);
    assert_eq!(rows, support::run_parallel(&plan, env, events), "threads");
    rows
}

/// The seed's WHERE, written out in Rust.
fn seed_matches(event: &Event, ports: &[i64], names: &[&str]) -> bool {
    let port = event
        .get_i64(FieldId::DestinationPort)
        .is_some_and(|p| ports.contains(&p));
    let name = event
        .get_str(FieldId::DestinationHostname)
        .is_some_and(|h| names.contains(&h.to_lowercase().as_str()));
    let excluded = ["SIM Audit", "Custom Rule Engine"].contains(&event.log_source_type_name());
    (port || name) && !excluded
}

#[test]
fn seed_query_on_real_logs_matches_an_independent_count() {
    let Some(data) = shared() else {
        return;
    };
    let events = read(&inputs(&data));
    assert!(events.len() > 10_000, "{} events", events.len());
    let newest = events
        .iter()
        .filter_map(|e| e.start_time())
        .map(|t| t.millis())
        .max()
        .unwrap();
    let names = ["who.is", "whois.domaintools.com", "arin.net", "ripe.net"];
    let in_window = |e: &Event, now: i64| {
        e.start_time()
            .is_some_and(|t| t.millis() >= now - 86_400_000 && t.millis() <= now)
    };

    // The seed, verbatim, measured from the newest event (--now latest).
    let expected = events
        .iter()
        .filter(|e| in_window(e, newest) && seed_matches(e, &[43], &names))
        .count();
    let rows = run(SEED, newest, &events);
    assert_eq!(rows.len(), expected);
    eprintln!(
        "seed verbatim: {} of {} events (none of these public captures has WHOIS traffic)",
        rows.len(),
        events.len()
    );

    // The same query shape on ports these captures do have (DNS and HTTPS), with no time
    // clause so every capture counts: the row count and every row's addresses agree.
    let shaped = SEED
        .replace(
            "\"destinationport\" = 43",
            "\"destinationport\" IN (53, 443)",
        )
        .replace("LAST 24 HOURS", "");
    let rows = run(&shaped, newest, &events);
    let mut expected: Vec<(String, String, String)> = events
        .iter()
        .filter(|e| seed_matches(e, &[53, 443], &names))
        .map(|e| {
            let text = |id| e.get(id).map_or("NULL".to_string(), |v| v.to_string());
            (
                text(FieldId::SourceIp),
                text(FieldId::DestinationIp),
                text(FieldId::Username),
            )
        })
        .collect();
    assert!(expected.len() > 100, "{} DNS/HTTPS events", expected.len());
    assert_eq!(rows.len(), expected.len());
    let mut got: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| (r[4].clone(), r[5].clone(), r[3].clone()))
        .collect();
    expected.sort();
    got.sort();
    assert_eq!(got, expected);
    assert!(rows.iter().all(|r| r[9] == "8"));
    // Ordered by the EventTime text, newest first (all scores are 8), NULLs last.
    let times: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    let nulls = times
        .iter()
        .position(|t| *t == "NULL")
        .unwrap_or(times.len());
    assert!(times[nulls..].iter().all(|t| *t == "NULL"));
    assert!(times[..nulls].windows(2).all(|w| w[0] >= w[1]));
    eprintln!("seed shape on ports 53/443: {} rows", rows.len());
}

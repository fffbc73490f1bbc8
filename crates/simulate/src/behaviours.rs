//! The behaviours `simulate` writes: the seed's four tests, the edge case from Atomic Red
//! Team's T1105 "whois file download", two more ways to look up WHOIS/RDAP (netcat,
//! plain-HTTP RDAP), the seed's false-positive categories and benign background.

use std::net::IpAddr;

use whoiswatch_event::Timestamp;

use crate::activity::{App, Host, Os, Process, Step, What};
use crate::rng::Rng;
use crate::settings::Settings;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Behaviour {
    /// Seed test 1: Linux `whois example.com`.
    Test1,
    /// Seed test 2: PowerShell Invoke-RestMethod to rdap.arin.net.
    Test2,
    /// Seed test 3: PowerShell System.Net.Sockets.TcpClient to port 43.
    Test3,
    /// Seed test 4: Python socket to port 43 on Linux.
    Test4,
    /// `whois -h HOST -p PORT` on a port other than 43 (ART T1105 "whois file download").
    WhoisOtherPort,
    /// `nc whois.iana.org 43`: a raw WHOIS query with a generic client.
    Netcat,
    /// `curl http://rdap.org/…`: RDAP over plain HTTP.
    RdapHttp,
    /// The seed's false positives: analyst, administrator, scanner, CI/CD.
    FalsePositives,
    /// Ordinary activity and look-alikes that must raise nothing.
    Background,
}

impl Behaviour {
    pub const ALL: [Behaviour; 9] = [
        Behaviour::Test1,
        Behaviour::Test2,
        Behaviour::Test3,
        Behaviour::Test4,
        Behaviour::WhoisOtherPort,
        Behaviour::Netcat,
        Behaviour::RdapHttp,
        Behaviour::FalsePositives,
        Behaviour::Background,
    ];

    /// Its place in [`Behaviour::ALL`]: its time slot and its generator's seed.
    pub fn index(self) -> usize {
        Behaviour::ALL
            .iter()
            .position(|b| *b == self)
            .expect("every behaviour is in ALL")
    }

    /// The seed's test number.
    pub fn test(self) -> Option<u8> {
        match self {
            Behaviour::Test1 => Some(1),
            Behaviour::Test2 => Some(2),
            Behaviour::Test3 => Some(3),
            Behaviour::Test4 => Some(4),
            _ => None,
        }
    }

    pub fn from_test(n: u8) -> Option<Behaviour> {
        Behaviour::ALL.into_iter().find(|b| b.test() == Some(n))
    }

    /// The directory `simulate` writes it to.
    pub fn dir(self) -> &'static str {
        match self {
            Behaviour::Test1 => "test-1",
            Behaviour::Test2 => "test-2",
            Behaviour::Test3 => "test-3",
            Behaviour::Test4 => "test-4",
            Behaviour::WhoisOtherPort => "edge-whois-other-port",
            Behaviour::Netcat => "extra-netcat",
            Behaviour::RdapHttp => "extra-rdap-http",
            Behaviour::FalsePositives => "false-positives",
            Behaviour::Background => "background",
        }
    }

    /// Its title; the seed's words for the seed's tests.
    pub fn title(self) -> &'static str {
        match self {
            Behaviour::Test1 => "Linux WHOIS Command-Line Domain Lookup",
            Behaviour::Test2 => "Windows PowerShell RDAP API Lookup via Invoke-RestMethod",
            Behaviour::Test3 => "Windows PowerShell Direct TCP WHOIS Query on Port 43",
            Behaviour::Test4 => "Python Socket-Based WHOIS Query on Port 43",
            Behaviour::WhoisOtherPort => {
                "whois client on a port other than 43 (Atomic Red Team T1105 \"whois file download\")"
            }
            Behaviour::Netcat => "Raw WHOIS query with netcat",
            Behaviour::RdapHttp => "RDAP lookup over plain HTTP with curl",
            Behaviour::FalsePositives => {
                "The seed's false positives: analyst, administrator, scanner, CI/CD"
            }
            Behaviour::Background => "Benign background and look-alikes",
        }
    }

    /// What it does, in time order.
    pub fn steps(self, settings: &Settings, rng: &mut Rng) -> Vec<Step> {
        let index = self.index() as i64;
        // Ten minutes apart, so that the behaviours' files never interleave in time.
        let start = Timestamp(settings.start.0 + index * 600 * 1_000_000_000);
        let mut s = Script {
            settings,
            rng,
            time: start,
            steps: Vec::new(),
        };
        match self {
            Behaviour::Test1 => s.test1(),
            Behaviour::Test2 => s.test2(),
            Behaviour::Test3 => s.test3(),
            Behaviour::Test4 => s.test4(),
            Behaviour::WhoisOtherPort => s.whois_other_port(),
            Behaviour::Netcat => s.netcat(),
            Behaviour::RdapHttp => s.rdap_http(),
            Behaviour::FalsePositives => s.false_positives(),
            Behaviour::Background => s.background(),
        }
        s.steps
    }
}

/// The addresses WHOIS and RDAP names resolve to (as of 2026), and the PTR names of
/// those addresses where the PTR is not the asked-for name.
fn resolve(name: &str) -> (Vec<IpAddr>, Option<&'static str>) {
    let ips: &[[u8; 4]] = match name {
        "whois.iana.org" => &[[192, 0, 32, 59]],
        "whois.verisign-grs.com" => &[[192, 30, 45, 30]],
        "whois.arin.net" => &[[199, 71, 0, 46]],
        "whois.ripe.net" => &[[193, 0, 6, 135]],
        "rdap.arin.net" => &[[199, 71, 0, 63], [199, 212, 0, 63]],
        "rdap.org" => &[[104, 21, 2, 10], [172, 67, 129, 118]],
        "www.microsoft.com" => &[[23, 45, 229, 80]],
        "notwhois.example.com" => &[[203, 0, 113, 80]],
        "deb.debian.org" => &[[151, 101, 2, 132]],
        _ => &[[203, 0, 113, 9]],
    };
    let ptr = match name {
        // Sysmon 3 shows this, not rdap.arin.net: the reason for the 22↔3 join.
        "rdap.arin.net" => Some("199-71-0-63.static.as10745.example-transit.net"),
        "rdap.org" => Some("cf-104-21-2-10.example-cdn.net"),
        _ => None,
    };
    (ips.iter().map(|o| IpAddr::from(*o)).collect(), ptr)
}

struct Script<'a> {
    settings: &'a Settings,
    rng: &'a mut Rng,
    time: Timestamp,
    steps: Vec<Step>,
}

const POWERSHELL: &str = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe";

impl Script<'_> {
    /// Move the clock on by 50–800 ms.
    fn tick(&mut self) -> Timestamp {
        self.time = Timestamp(self.time.0 + self.rng.range(50, 800) as i64 * 1_000_000);
        self.time
    }

    fn push(&mut self, host: &Host, process: &Process, what: What) {
        let time = self.tick();
        self.steps.push(Step {
            time,
            host: host.clone(),
            process: process.clone(),
            what,
        });
    }

    fn process(&mut self, host: &Host, image: &str, argv: &[&str]) -> Process {
        let (cwd, parent_image, parent_command_line) = match host.os {
            Os::Windows => (
                format!(
                    "C:\\Users\\{}\\",
                    host.user.rsplit('\\').next().unwrap_or(&host.user)
                ),
                "C:\\Windows\\explorer.exe",
                "C:\\Windows\\Explorer.EXE",
            ),
            Os::Linux | Os::Appliance => (format!("/home/{}", host.user), "/usr/bin/bash", "-bash"),
        };
        // Sysmon for Linux joins argv with spaces (its quotes are lost); Windows
        // callers set their own command line where quoting matters.
        let command_line = argv.join(" ");
        let pid = self.rng.range(2000, 60000) as u32;
        Process {
            pid,
            guid: self.rng.guid(),
            image: image.to_string(),
            command_line,
            argv: argv.iter().map(|a| a.to_string()).collect(),
            pe: None,
            cwd,
            parent_pid: self.rng.range(1000, 2000) as u32,
            parent_guid: self.rng.guid(),
            parent_image: parent_image.to_string(),
            parent_command_line: parent_command_line.to_string(),
        }
    }

    fn powershell(&mut self, host: &Host, command: &str) -> Process {
        let mut p = self.process(
            host,
            POWERSHELL,
            &["powershell.exe", "-NoProfile", "-Command", command],
        );
        p.command_line = format!("powershell.exe -NoProfile -Command \"{command}\"");
        p.pe = Some((
            "PowerShell.EXE".into(),
            "Microsoft Corporation".into(),
            "Windows PowerShell".into(),
        ));
        p
    }

    /// PowerShell starts with `script` as its -Command, and script block logging
    /// records the script (4104).
    fn run_powershell(&mut self, host: &Host, script: String) -> Process {
        let p = self.powershell(host, &script);
        self.push(host, &p, What::Start);
        let id = self.rng.guid();
        self.push(
            host,
            &p,
            What::Script {
                text: script,
                id: id.trim_matches(|c| c == '{' || c == '}').to_string(),
            },
        );
        p
    }

    /// A lookup of `name` by `process`, then a connection to its first address.
    fn lookup_and_connect(
        &mut self,
        host: &Host,
        process: &Process,
        name: &str,
        port: u16,
        app: App,
    ) {
        let (answers, ptr) = resolve(name);
        self.push(
            host,
            process,
            What::Resolve {
                name: name.to_string(),
                answers: answers.clone(),
            },
        );
        let src_port = self.rng.ephemeral_port();
        let ptr = match port {
            43 => Some(name.to_string()),
            _ => ptr.map(str::to_string),
        };
        self.push(
            host,
            process,
            What::Connect {
                src_port,
                dst: answers[0],
                dst_port: port,
                ptr,
                app,
            },
        );
    }

    fn test1(&mut self) {
        let host = self.settings.linux.clone();
        let domain = self.settings.domain.clone();
        let p = self.process(&host, "/usr/bin/whois", &["whois", &domain]);
        self.push(&host, &p, What::Start);
        self.lookup_and_connect(&host, &p, "whois.iana.org", 43, App::Whois);
        // .com is Verisign's: the client follows IANA's referral.
        self.lookup_and_connect(&host, &p, "whois.verisign-grs.com", 43, App::Whois);
    }

    fn test2(&mut self) {
        let host = self.settings.windows.clone();
        let url = format!(
            "https://rdap.arin.net/registry/ip/{}",
            self.settings.network
        );
        let script = format!("Invoke-RestMethod -Uri '{url}' | ConvertTo-Json -Depth 5");
        let p = self.run_powershell(&host, script);
        let uri = format!("/registry/ip/{}", self.settings.network);
        self.lookup_and_connect(
            &host,
            &p,
            "rdap.arin.net",
            443,
            App::Tls {
                server_name: "rdap.arin.net".into(),
                uri,
            },
        );
    }

    fn test3(&mut self) {
        let host = self.settings.windows.clone();
        let script = format!(
            "$c = New-Object System.Net.Sockets.TcpClient('whois.iana.org', 43); $s = $c.GetStream(); \
             $w = New-Object IO.StreamWriter($s); $w.WriteLine('{}'); $w.Flush(); \
             (New-Object IO.StreamReader($s)).ReadToEnd()",
            self.settings.domain
        );
        let p = self.run_powershell(&host, script);
        self.lookup_and_connect(&host, &p, "whois.iana.org", 43, App::Whois);
    }

    fn test4(&mut self) {
        let host = self.settings.linux.clone();
        let code = format!(
            "import socket; s=socket.create_connection(('whois.iana.org', 43)); \
             s.sendall(b'{}\\r\\n'); print(s.recv(4096).decode())",
            self.settings.domain
        );
        let p = self.process(&host, "/usr/bin/python3", &["python3", "-c", &code]);
        self.push(&host, &p, What::Start);
        self.lookup_and_connect(&host, &p, "whois.iana.org", 43, App::Whois);
    }

    fn whois_other_port(&mut self) {
        let host = self.settings.linux.clone();
        let p = self.process(
            &host,
            "/usr/bin/whois",
            &[
                "whois",
                "-h",
                "203.0.113.50",
                "-p",
                "8443",
                "Hello from Atomic Red Team test T1105",
            ],
        );
        self.push(&host, &p, What::Start);
        let src_port = self.rng.ephemeral_port();
        self.push(
            &host,
            &p,
            What::Connect {
                src_port,
                dst: [203, 0, 113, 50].into(),
                dst_port: 8443,
                ptr: None,
                app: App::Other,
            },
        );
    }

    fn netcat(&mut self) {
        let host = self.settings.linux.clone();
        let p = self.process(
            &host,
            "/usr/bin/nc.openbsd",
            &["nc", "whois.iana.org", "43"],
        );
        self.push(&host, &p, What::Start);
        self.lookup_and_connect(&host, &p, "whois.iana.org", 43, App::Whois);
    }

    fn rdap_http(&mut self) {
        let host = self.settings.linux.clone();
        let uri = format!("/domain/{}", self.settings.domain);
        let url = format!("http://rdap.org{uri}");
        let p = self.process(&host, "/usr/bin/curl", &["curl", "-s", "-L", &url]);
        self.push(&host, &p, What::Start);
        self.lookup_and_connect(
            &host,
            &p,
            "rdap.org",
            80,
            App::Http {
                method: "GET",
                host: "rdap.org".into(),
                uri,
                status: 302,
                content_type: "text/html",
            },
        );
    }

    fn false_positives(&mut self) {
        let domain = self.settings.domain.clone();
        // 1. A SOC analyst researches a suspicious domain with Sysinternals whois.
        let analyst = Host {
            name: "SOC-AN01.corp.example.com".into(),
            os: Os::Windows,
            ip: [10, 20, 0, 31].into(),
            user: "EXAMPLE\\soc.analyst".into(),
            uid: 0,
        };
        let mut p = self.process(
            &analyst,
            "C:\\Tools\\Sysinternals\\whois64.exe",
            &["whois64.exe", "-v", "suspicious-login.example"],
        );
        p.pe = Some((
            "whois.exe".into(),
            "Sysinternals - www.sysinternals.com".into(),
            "Whois".into(),
        ));
        self.push(&analyst, &p, What::Start);
        self.lookup_and_connect(&analyst, &p, "whois.iana.org", 43, App::Whois);
        // 2. An administrator checks the corporate domain's registration over RDAP.
        let admin = Host {
            name: "WS-IT02.corp.example.com".into(),
            os: Os::Windows,
            ip: [10, 1, 5, 12].into(),
            user: "EXAMPLE\\adavis".into(),
            uid: 0,
        };
        let script = format!("Invoke-RestMethod -Uri 'https://rdap.org/domain/{domain}'");
        let p = self.run_powershell(&admin, script);
        self.lookup_and_connect(
            &admin,
            &p,
            "rdap.org",
            443,
            App::Tls {
                server_name: "rdap.org".into(),
                uri: format!("/domain/{domain}"),
            },
        );
        // 3. The vulnerability scanner enriches its findings with WHOIS (no agent).
        let scanner = Host {
            name: "scan01".into(),
            os: Os::Appliance,
            ip: [10, 9, 0, 15].into(),
            user: "qualys".into(),
            uid: 0,
        };
        let p = self.process(&scanner, "/opt/qualys/scanner", &["scanner"]);
        for name in ["whois.arin.net", "whois.ripe.net"] {
            self.lookup_and_connect(&scanner, &p, name, 43, App::Whois);
        }
        // 4. A CI pipeline verifies the registrar of the company's domain.
        let runner = Host {
            name: "ci-runner-01".into(),
            os: Os::Linux,
            ip: [10, 30, 0, 5].into(),
            user: "gitlab-runner".into(),
            uid: 998,
        };
        let mut p = self.process(&runner, "/usr/bin/whois", &["whois", &domain]);
        p.parent_image = "/usr/bin/gitlab-runner".into();
        p.parent_command_line = "gitlab-runner run".into();
        p.cwd = "/builds/infra/dns".into();
        self.push(&runner, &p, What::Start);
        self.lookup_and_connect(&runner, &p, "whois.verisign-grs.com", 43, App::Whois);
    }

    fn background(&mut self) {
        let windows = self.settings.windows.clone();
        let linux = self.settings.linux.clone();
        // Windows Update over HTTPS, a browser, and a look-alike name.
        let svchost = self.process(
            &windows,
            "C:\\Windows\\System32\\svchost.exe",
            &["svchost.exe", "-k", "netsvcs", "-p", "-s", "wuauserv"],
        );
        self.push(&windows, &svchost, What::Start);
        self.lookup_and_connect(
            &windows,
            &svchost,
            "www.microsoft.com",
            443,
            App::Tls {
                server_name: "www.microsoft.com".into(),
                uri: "/".into(),
            },
        );
        let edge = self.process(
            &windows,
            "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe",
            &["msedge.exe", "https://notwhois.example.com/"],
        );
        self.push(&windows, &edge, What::Start);
        self.lookup_and_connect(
            &windows,
            &edge,
            "notwhois.example.com",
            443,
            App::Tls {
                server_name: "notwhois.example.com".into(),
                uri: "/".into(),
            },
        );
        // A PowerShell one-liner that only talks about port 43.
        let ps = self.powershell(
            &windows,
            "Write-Output 'firewall change: allow port 43 review pending'",
        );
        self.push(&windows, &ps, What::Start);
        // Linux: package updates, and connections to ports that merely contain 43.
        let apt = self.process(&linux, "/usr/bin/apt-get", &["apt-get", "update"]);
        self.push(&linux, &apt, What::Start);
        self.lookup_and_connect(
            &linux,
            &apt,
            "deb.debian.org",
            80,
            App::Http {
                method: "GET",
                host: "deb.debian.org".into(),
                uri: "/debian/dists/bookworm/InRelease".into(),
                status: 200,
                content_type: "text/plain",
            },
        );
        let curl = self.process(
            &linux,
            "/usr/bin/curl",
            &["curl", "-sk", "https://203.0.113.9:4343/health"],
        );
        self.push(&linux, &curl, What::Start);
        for port in [4343, 430, 1043, 8043] {
            let src_port = self.rng.ephemeral_port();
            self.push(
                &linux,
                &curl,
                What::Connect {
                    src_port,
                    dst: [203, 0, 113, 9].into(),
                    dst_port: port,
                    ptr: None,
                    app: App::Other,
                },
            );
        }
    }
}

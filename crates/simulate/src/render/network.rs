//! What the network sees: Zeek (conn, dns, ssl, http; TSV with headers), the DNS
//! resolvers (BIND query log, dnsmasq, Windows DNS debug log), the proxy (Squid native
//! access.log) and the firewalls (netfilter kernel log, CEF, LEEF).

use std::net::IpAddr;

use whoiswatch_event::Timestamp;

use crate::activity::{App, Step, What};
use crate::rng::Rng;
use crate::timefmt;

/// Names of the network devices that write these logs.
const FIREWALL: &str = "fw01";
const GATEWAY: &str = "gw01";
const RESOLVER: &str = "dns01";

/// A Zeek TSV log: the header, the rows, the footer.
pub struct ZeekLog {
    path: &'static str,
    fields: &'static str,
    types: &'static str,
    rows: Vec<String>,
}

impl ZeekLog {
    fn new(path: &'static str, fields: &'static str, types: &'static str) -> ZeekLog {
        ZeekLog {
            path,
            fields,
            types,
            rows: Vec::new(),
        }
    }

    pub fn render(&self, opened: Timestamp) -> String {
        if self.rows.is_empty() {
            return String::new();
        }
        let c = opened.civil();
        let stamp = format!(
            "{:04}-{:02}-{:02}-{:02}-{:02}-{:02}",
            c.year, c.month, c.day, c.hour, c.minute, c.second
        );
        let mut out = format!(
            "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n\
             #path\t{}\n#open\t{stamp}\n#fields\t{}\n#types\t{}\n",
            self.path,
            self.fields.replace(' ', "\t"),
            self.types.replace(' ', "\t")
        );
        for row in &self.rows {
            out.push_str(row);
            out.push('\n');
        }
        out.push_str(&format!("#close\t{stamp}\n"));
        out
    }
}

/// Every network-side log, filled step by step.
pub struct Network {
    pub conn: ZeekLog,
    pub dns: ZeekLog,
    pub ssl: ZeekLog,
    pub http: ZeekLog,
    pub bind: String,
    pub dnsmasq: String,
    pub windows_dns: String,
    pub squid: String,
    pub netfilter: String,
    pub cef: String,
    pub leef: String,
    dns_server: IpAddr,
    uptime_ms: u64,
}

impl Network {
    pub fn new(dns_server: IpAddr, start: Timestamp) -> Network {
        Network {
            conn: ZeekLog::new(
                "conn",
                "ts uid id.orig_h id.orig_p id.resp_h id.resp_p proto service duration orig_bytes resp_bytes conn_state local_orig local_resp missed_bytes history orig_pkts orig_ip_bytes resp_pkts resp_ip_bytes tunnel_parents",
                "time string addr port addr port enum string interval count count string bool bool count string count count count count set[string]",
            ),
            dns: ZeekLog::new(
                "dns",
                "ts uid id.orig_h id.orig_p id.resp_h id.resp_p proto trans_id rtt query qclass qclass_name qtype qtype_name rcode rcode_name AA TC RD RA Z answers TTLs rejected",
                "time string addr port addr port enum count interval string count string count string count string bool bool bool bool count vector[string] vector[interval] bool",
            ),
            ssl: ZeekLog::new(
                "ssl",
                "ts uid id.orig_h id.orig_p id.resp_h id.resp_p version cipher curve server_name resumed last_alert next_protocol established ssl_history",
                "time string addr port addr port string string string string bool string string bool string",
            ),
            http: ZeekLog::new(
                "http",
                "ts uid id.orig_h id.orig_p id.resp_h id.resp_p trans_depth method host uri referrer version user_agent origin request_body_len response_body_len status_code status_msg info_code info_msg tags username password proxied orig_fuids orig_filenames orig_mime_types resp_fuids resp_filenames resp_mime_types",
                "time string addr port addr port count string string string string string string string count count count string count string set[enum] string string set[string] vector[string] vector[string] vector[string] vector[string] vector[string] vector[string]",
            ),
            bind: String::new(),
            dnsmasq: String::new(),
            windows_dns: format!(
                "DNS Server log file creation at {}\nLog file wrap at {}\n\nMessage logging key (for packets - other items use a subset of these fields):\n\tField #  Information         Values\n\t-------  -----------         ------\n\n",
                timefmt::windows_us(start),
                timefmt::windows_us(start)
            ),
            squid: String::new(),
            netfilter: String::new(),
            cef: String::new(),
            leef: String::new(),
            dns_server,
            uptime_ms: 1_156_246,
        }
    }

    /// Record what the network sees of one step.
    pub fn observe(&mut self, step: &Step, rng: &mut Rng) {
        match &step.what {
            What::Resolve { name, answers } => self.resolve(step, name, answers, rng),
            What::Connect {
                src_port,
                dst,
                dst_port,
                app,
                ..
            } => self.connect(step, *src_port, *dst, *dst_port, app, rng),
            What::Start | What::Script { .. } => {}
        }
    }

    fn resolve(&mut self, step: &Step, name: &str, answers: &[IpAddr], rng: &mut Rng) {
        let client = step.host.ip;
        let port = rng.ephemeral_port();
        let id = rng.range(1, 65535);
        let ts = timefmt::epoch(step.time, 6);
        let answer_list = if answers.is_empty() {
            "-".to_string()
        } else {
            answers
                .iter()
                .map(IpAddr::to_string)
                .collect::<Vec<_>>()
                .join(",")
        };
        let ttls = if answers.is_empty() {
            "-".to_string()
        } else {
            vec!["300.000000"; answers.len()].join(",")
        };
        self.dns.rows.push(format!(
            "{ts}\t{}\t{client}\t{port}\t{}\t53\tudp\t{id}\t0.012040\t{name}\t1\tC_INTERNET\t1\tA\t0\tNOERROR\tF\tF\tT\tT\t0\t{answer_list}\t{ttls}\tF",
            uid(rng, 'C'),
            self.dns_server
        ));
        self.bind.push_str(&format!(
            "{} queries: info: client @0x7f3a1c0012e0 {client}#{port} ({name}): query: {name} IN A +E(0) ({})\n",
            timefmt::bind(step.time),
            self.dns_server
        ));
        let time = timefmt::syslog(step.time);
        self.dnsmasq.push_str(&format!(
            "{time} {RESOLVER} dnsmasq[812]: query[A] {name} from {client}\n"
        ));
        for answer in answers {
            self.dnsmasq.push_str(&format!(
                "{time} {RESOLVER} dnsmasq[812]: reply {name} is {answer}\n"
            ));
        }
        let encoded: String = name
            .split('.')
            .map(|label| format!("({}){label}", label.len()))
            .collect();
        self.windows_dns.push_str(&format!(
            "{} 0E70 PACKET  00000000033397A0 UDP Rcv {client:<15} {id:04x}   Q [0001   D   NOERROR] A      {encoded}(0)\n",
            timefmt::windows_us(step.time)
        ));
    }

    fn connect(
        &mut self,
        step: &Step,
        src_port: u16,
        dst: IpAddr,
        dst_port: u16,
        app: &App,
        rng: &mut Rng,
    ) {
        let src = step.host.ip;
        let ts = timefmt::epoch(step.time, 6);
        let uid = uid(rng, 'C');
        let service = match app {
            App::Tls { .. } => "ssl",
            App::Http { .. } => "http",
            App::Whois | App::Other => "-",
        };
        let (orig_bytes, resp_bytes) = match app {
            App::Whois => (18, rng.range(900, 4000)),
            _ => (rng.range(300, 900), rng.range(2000, 9000)),
        };
        self.conn.rows.push(format!(
            "{ts}\t{uid}\t{src}\t{src_port}\t{dst}\t{dst_port}\ttcp\t{service}\t0.{:06}\t{orig_bytes}\t{resp_bytes}\tSF\tT\tF\t0\tShADadFf\t{}\t{}\t{}\t{}\t-",
            rng.range(100_000, 999_999),
            6,
            orig_bytes + 320,
            6,
            resp_bytes + 320
        ));
        match app {
            App::Tls { server_name, .. } => {
                self.ssl.rows.push(format!(
                    "{ts}\t{uid}\t{src}\t{src_port}\t{dst}\t{dst_port}\tTLSv13\tTLS_AES_128_GCM_SHA256\tx25519\t{server_name}\tF\t-\th2\tT\tCsiI"
                ));
                self.squid.push_str(&format!(
                    "{} {:>6} {src} TCP_TUNNEL/200 {resp_bytes} CONNECT {server_name}:{dst_port} - HIER_DIRECT/{dst} -\n",
                    timefmt::epoch(step.time, 3),
                    rng.range(100, 3000)
                ));
            }
            App::Http {
                method,
                host,
                uri,
                status,
                content_type,
            } => {
                self.http.rows.push(format!(
                    "{ts}\t{uid}\t{src}\t{src_port}\t{dst}\t{dst_port}\t1\t{method}\t{host}\t{uri}\t-\t1.1\tcurl/8.5.0\t-\t0\t{resp_bytes}\t{status}\t{}\t-\t-\t(empty)\t-\t-\t-\t-\t-\t-\t-\t-\t-",
                    if *status == 200 { "OK" } else { "Found" }
                ));
                self.squid.push_str(&format!(
                    "{} {:>6} {src} TCP_MISS/{status} {resp_bytes} {method} http://{host}{uri} - HIER_DIRECT/{dst} {content_type}\n",
                    timefmt::epoch(step.time, 3),
                    rng.range(50, 900)
                ));
            }
            App::Whois | App::Other => {}
        }
        if is_internal(dst) {
            return;
        }
        self.uptime_ms += rng.range(1, 90_000);
        self.netfilter.push_str(&format!(
            "{} {GATEWAY} kernel: [{:>5}.{:06}] FWD-OUT IN=eth1 OUT=eth0 SRC={src} DST={dst} LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID={} DF PROTO=TCP SPT={src_port} DPT={dst_port} WINDOW=64240 RES=0x00 SYN URGP=0\n",
            timefmt::syslog(step.time),
            self.uptime_ms / 1000,
            (self.uptime_ms % 1000) * 1000,
            rng.range(1, 65535)
        ));
        let user = step.host.user.replace('\\', "\\\\");
        self.cef.push_str(&format!(
            "<134>{} {FIREWALL} CEF:0|Palo Alto Networks|PAN-OS|10.2|traffic|end|3|rt={} src={src} dst={dst} spt={src_port} dpt={dst_port} proto=TCP act=allow suser={user} cs1=Outbound-Allow cs1Label=Rule\n",
            timefmt::syslog(step.time),
            step.time.millis()
        ));
        self.leef.push_str(&format!(
            "<134>{} {FIREWALL} LEEF:1.0|Check Point|VPN-1 & FireWall-1|R81.20|Accept|cat=Firewall\tdevTime={}\tsrc={src}\tdst={dst}\tsrcPort={src_port}\tdstPort={dst_port}\tproto=TCP\taction=Accept\tusrName={}\n",
            timefmt::syslog(step.time),
            timefmt::leef(step.time),
            step.host.user
        ));
    }
}

/// Zeek's connection uid: a letter and 17 base-62 characters.
fn uid(rng: &mut Rng, first: char) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut id = String::with_capacity(18);
    id.push(first);
    for _ in 0..17 {
        id.push(*rng.pick(ALPHABET) as char);
    }
    id
}

/// RFC 1918 and loopback: traffic that never crosses the perimeter firewall.
fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_private() || v4.is_loopback(),
        IpAddr::V6(v6) => v6.is_loopback(),
    }
}

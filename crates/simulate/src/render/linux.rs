//! Linux endpoint telemetry: Sysmon for Linux (its XML inside a syslog line) and auditd
//! (SYSCALL, EXECVE, CWD, SOCKADDR, PROCTITLE and EOE records sharing one serial).

use std::net::IpAddr;

use super::{push_data, sysmon_head};
use crate::activity::{Step, What};
use crate::timefmt;

/// Sysmon for Linux 1 (process) and 3 (network); it writes no Event 22.
pub fn sysmon(step: &Step, record_id: &mut u64, out: &mut String) {
    let p = &step.process;
    let host = &step.host;
    let mut data = sysmon_head(step, p);
    let event_id = match &step.what {
        What::Start => {
            data.extend([
                ("Image", p.image.clone()),
                ("FileVersion", "-".into()),
                ("Description", "-".into()),
                ("Product", "-".into()),
                ("Company", "-".into()),
                ("OriginalFileName", "-".into()),
                ("CommandLine", p.command_line.clone()),
                ("CurrentDirectory", p.cwd.clone()),
                ("User", host.user.clone()),
                (
                    "LogonGuid",
                    format!("{{3c1a0b2d-0000-0000-{:04x}-000001000000}}", host.uid),
                ),
                ("LogonId", host.uid.to_string()),
                ("TerminalSessionId", "3".into()),
                ("IntegrityLevel", "no level".into()),
                ("Hashes", "-".into()),
                ("ParentProcessGuid", p.parent_guid.clone()),
                ("ParentProcessId", p.parent_pid.to_string()),
                ("ParentImage", p.parent_image.clone()),
                ("ParentCommandLine", p.parent_command_line.clone()),
                ("ParentUser", host.user.clone()),
            ]);
            1
        }
        What::Connect {
            src_port,
            dst,
            dst_port,
            ..
        } => {
            data.extend([
                ("Image", p.image.clone()),
                ("User", host.user.clone()),
                ("Protocol", "tcp".into()),
                ("Initiated", "true".into()),
                ("SourceIsIpv6", host.ip.is_ipv6().to_string()),
                ("SourceIp", host.ip.to_string()),
                ("SourceHostname", "-".into()),
                ("SourcePort", src_port.to_string()),
                ("SourcePortName", "-".into()),
                ("DestinationIsIpv6", dst.is_ipv6().to_string()),
                ("DestinationIp", dst.to_string()),
                ("DestinationHostname", "-".into()),
                ("DestinationPort", dst_port.to_string()),
                ("DestinationPortName", "-".into()),
            ]);
            3
        }
        What::Script { .. } | What::Resolve { .. } => return,
    };
    *record_id += 1;
    let mut fields = String::new();
    push_data(&data, &mut fields);
    out.push_str(&format!(
        "{} {host} sysmon: <Event><System><Provider Name=\"Linux-Sysmon\" Guid=\"{{ff032593-a8d3-4f13-b0d6-01fc615a0f97}}\"/>\
         <EventID>{event_id}</EventID><Version>5</Version><Level>4</Level><Task>{event_id}</Task><Opcode>0</Opcode>\
         <Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime=\"{}\"/><EventRecordID>{record_id}</EventRecordID>\
         <Correlation/><Execution ProcessID=\"{pid}\" ThreadID=\"{pid}\"/><Channel>Linux-Sysmon/Operational</Channel>\
         <Computer>{host}</Computer><Security UserId=\"0\"/></System><EventData>{fields}</EventData></Event>\n",
        timefmt::syslog(step.time),
        timefmt::iso(step.time, 9),
        host = host.name,
        pid = p.pid,
    ));
}

/// auditd's rule for an argument: quoted, unless it holds a space, a quote, a control
/// byte or a byte above 0x7E — then hex without quotes.
fn audit_value(value: &str) -> String {
    let plain = value.bytes().all(|b| b > 0x20 && b < 0x7F && b != b'"');
    if plain || value.is_empty() {
        format!("\"{value}\"")
    } else {
        hex(value.as_bytes())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// `saddr=` of a sockaddr_in / sockaddr_in6.
fn sockaddr(ip: IpAddr, port: u16) -> String {
    match ip {
        IpAddr::V4(v4) => format!("0200{port:04X}{}0000000000000000", hex(&v4.octets())),
        IpAddr::V6(v6) => format!("0A00{port:04X}00000000{}00000000", hex(&v6.octets())),
    }
}

/// The auditd records of a process start (execve) or a connection (connect).
pub fn auditd(step: &Step, serial: &mut u64, out: &mut String) {
    let p = &step.process;
    let host = &step.host;
    let (syscall, items) = match &step.what {
        What::Start => (59, 2),
        What::Connect { .. } => (42, 0),
        What::Script { .. } | What::Resolve { .. } => return,
    };
    *serial += 1;
    let stamp = format!("audit({}:{serial})", timefmt::epoch(step.time, 3));
    let node = &host.name;
    let comm: String = p
        .image
        .rsplit('/')
        .next()
        .unwrap_or(&p.image)
        .chars()
        .take(15)
        .collect();
    let uid = host.uid;
    out.push_str(&format!(
        "node={node} type=SYSCALL msg={stamp}: arch=c000003e syscall={syscall} success=yes exit=0 \
         a0=55d0c1e2a0f0 a1=55d0c1e2b120 a2=55d0c1e2b1a8 a3=8 items={items} ppid={} pid={} auid={uid} \
         uid={uid} gid={uid} euid={uid} suid={uid} fsuid={uid} egid={uid} sgid={uid} fsgid={uid} \
         tty=pts0 ses=12 comm={} exe=\"{}\" subj=unconfined key=\"recon\"\n",
        p.parent_pid,
        p.pid,
        audit_value(&comm),
        p.image
    ));
    match &step.what {
        What::Start => {
            let args: String = p
                .argv
                .iter()
                .enumerate()
                .map(|(n, a)| format!(" a{n}={}", audit_value(a)))
                .collect();
            out.push_str(&format!(
                "node={node} type=EXECVE msg={stamp}: argc={}{args}\n",
                p.argv.len()
            ));
            out.push_str(&format!(
                "node={node} type=CWD msg={stamp}: cwd={}\n",
                audit_value(&p.cwd)
            ));
            out.push_str(&format!(
                "node={node} type=PATH msg={stamp}: item=0 name=\"{}\" inode=1311022 dev=fd:00 \
                 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0\n",
                p.image
            ));
        }
        What::Connect { dst, dst_port, .. } => {
            out.push_str(&format!(
                "node={node} type=SOCKADDR msg={stamp}: saddr={}\n",
                sockaddr(*dst, *dst_port)
            ));
        }
        _ => {}
    }
    let title: Vec<u8> = p.argv.join("\0").into_bytes();
    out.push_str(&format!(
        "node={node} type=PROCTITLE msg={stamp}: proctitle={}\n",
        hex(&title[..title.len().min(128)])
    ));
    out.push_str(&format!("node={node} type=EOE msg={stamp}: \n"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auditd_encodes_like_the_kernel() {
        assert_eq!(audit_value("whois"), "\"whois\"");
        assert_eq!(audit_value("a b"), "612062");
        assert_eq!(audit_value(""), "\"\"");
        // The telemetry facts' example: port 43 to 192.0.47.59.
        assert_eq!(
            sockaddr([192, 0, 47, 59].into(), 43),
            "0200002BC0002F3B0000000000000000"
        );
    }
}

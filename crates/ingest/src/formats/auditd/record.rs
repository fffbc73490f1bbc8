//! One auditd record line: `[node=N ]type=T msg=audit(EPOCH:SERIAL): k=v …[\x1dK=V …]`.

use whoiswatch_event::time::parse_epoch_seconds;
use whoiswatch_event::Timestamp;

#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub node: Option<String>,
    pub kind: String,
    pub time: Timestamp,
    pub serial: u64,
    /// Fields as written (values unquoted, not yet hex-decoded), in order.
    pub fields: Vec<(String, Value)>,
    /// The enriched part (after 0x1D): translated names such as `AUID="user"`.
    pub enriched: Vec<(String, Value)>,
    pub line: String,
}

/// A raw field value: quoted text is literal; unquoted may be hex-encoded.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Quoted(String),
    Bare(String),
}

impl Value {
    pub fn raw(&self) -> &str {
        match self {
            Value::Quoted(s) | Value::Bare(s) => s,
        }
    }
}

/// Record type numbers that kernel and journald sources write, by name.
fn type_name(kind: &str) -> String {
    let number = kind
        .strip_prefix("UNKNOWN[")
        .and_then(|k| k.strip_suffix(']'))
        .unwrap_or(kind);
    let name = match number {
        "1006" => "LOGIN",
        "1100" => "USER_AUTH",
        "1101" => "USER_ACCT",
        "1105" => "USER_START",
        "1112" => "USER_LOGIN",
        "1130" => "SERVICE_START",
        "1131" => "SERVICE_STOP",
        "1300" => "SYSCALL",
        "1302" => "PATH",
        "1306" => "SOCKADDR",
        "1307" => "CWD",
        "1309" => "EXECVE",
        "1318" => "OBJ_PID",
        "1320" => "EOE",
        "1327" => "PROCTITLE",
        "1400" => "AVC",
        _ => return kind.to_string(),
    };
    name.to_string()
}

/// Split `k=v k="v" k='a=b c=d'` into pairs. Single-quoted values (userspace `msg='…'`)
/// are opened and their fields added in place.
pub(crate) fn parse_fields(text: &str, out: &mut Vec<(String, Value)>) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && bytes[i] == b' ' {
            i += 1;
        }
        let key_start = i;
        while i < bytes.len() && bytes[i] != b'=' && bytes[i] != b' ' {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] == b' ' {
            continue;
        }
        let key = &text[key_start..i];
        i += 1;
        match bytes.get(i) {
            Some(b'"') => {
                let end = text[i + 1..]
                    .find('"')
                    .map(|e| i + 1 + e)
                    .unwrap_or(bytes.len());
                out.push((key.to_string(), Value::Quoted(text[i + 1..end].to_string())));
                i = end + 1;
            }
            Some(b'\'') => {
                let end = text[i + 1..]
                    .find('\'')
                    .map(|e| i + 1 + e)
                    .unwrap_or(bytes.len());
                parse_fields(&text[i + 1..end], out);
                i = end + 1;
            }
            _ => {
                let end = text[i..].find(' ').map(|e| i + e).unwrap_or(bytes.len());
                out.push((key.to_string(), Value::Bare(text[i..end].to_string())));
                i = end;
            }
        }
    }
}

pub(crate) fn parse_record(line: &str) -> Result<Record, String> {
    let audit_at = line.find("audit(").ok_or("no audit(TIME:SERIAL) stamp")?;
    let head = &line[..audit_at];
    let mut node = None;
    let mut kind = None;
    for word in head.split_whitespace() {
        if let Some(n) = word.strip_prefix("node=") {
            node = Some(n.to_string());
        } else if let Some(t) = word.strip_prefix("type=") {
            kind = Some(type_name(t));
        }
    }
    let kind = kind.ok_or("no type= before the audit stamp")?;
    let stamp_end = line[audit_at..]
        .find(')')
        .map(|e| audit_at + e)
        .ok_or("audit stamp is not closed")?;
    let stamp = &line[audit_at + 6..stamp_end];
    let (time, serial) = stamp.split_once(':').ok_or("audit stamp has no :serial")?;
    let time = parse_epoch_seconds(time).ok_or_else(|| format!("bad audit time {time}"))?;
    let serial: u64 = serial
        .parse()
        .map_err(|_| format!("bad audit serial {serial}"))?;
    let body = line[stamp_end + 1..].trim_start_matches(':');
    let (raw, enriched_text) = match body.split_once('\u{1d}') {
        Some((raw, enriched)) => (raw, Some(enriched)),
        None => (body, None),
    };
    let mut fields = Vec::new();
    parse_fields(raw, &mut fields);
    let mut enriched = Vec::new();
    if let Some(text) = enriched_text {
        parse_fields(text, &mut enriched);
    }
    Ok(Record {
        node,
        kind,
        time,
        serial,
        fields,
        enriched,
        line: line.to_string(),
    })
}

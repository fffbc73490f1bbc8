//! Times as each format writes them (all UTC).

use whoiswatch_event::Timestamp;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `2026-11-24T09:12:03.1140000Z` with `digits` fractional digits (Windows writes 7,
/// Sysmon for Linux 9, Winlogbeat 3).
pub fn iso(time: Timestamp, digits: usize) -> String {
    let c = time.civil();
    let fraction = format!("{:09}", c.nanosecond);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{}Z",
        c.year,
        c.month,
        c.day,
        c.hour,
        c.minute,
        c.second,
        &fraction[..digits.min(9)]
    )
}

/// Sysmon's UtcTime and NXLog's EventTime: `2026-11-24 09:12:03.114` (`millis`) or
/// without the fraction.
pub fn sql(time: Timestamp, millis: bool) -> String {
    let c = time.civil();
    let base = format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    );
    if millis {
        format!("{base}.{:03}", c.nanosecond / 1_000_000)
    } else {
        base
    }
}

/// RFC 3164 syslog: `Nov 24 09:12:03` (day padded with a space).
pub fn syslog(time: Timestamp) -> String {
    let c = time.civil();
    format!(
        "{} {:>2} {:02}:{:02}:{:02}",
        MONTHS[c.month as usize - 1],
        c.day,
        c.hour,
        c.minute,
        c.second
    )
}

/// BIND's query log: `24-Nov-2026 09:12:03.114`.
pub fn bind(time: Timestamp) -> String {
    let c = time.civil();
    format!(
        "{:02}-{}-{:04} {:02}:{:02}:{:02}.{:03}",
        c.day,
        MONTHS[c.month as usize - 1],
        c.year,
        c.hour,
        c.minute,
        c.second,
        c.nanosecond / 1_000_000
    )
}

/// The Windows DNS debug log in the en-US locale: `11/24/2026 9:12:03 AM`.
pub fn windows_us(time: Timestamp) -> String {
    let c = time.civil();
    let (hour, half) = match c.hour {
        0 => (12, "AM"),
        1..=11 => (c.hour, "AM"),
        12 => (12, "PM"),
        _ => (c.hour - 12, "PM"),
    };
    format!(
        "{}/{}/{} {}:{:02}:{:02} {half}",
        c.month, c.day, c.year, hour, c.minute, c.second
    )
}

/// Epoch seconds with `digits` fractional digits: Zeek (6), Squid and auditd (3).
pub fn epoch(time: Timestamp, digits: usize) -> String {
    let nanos = time.0;
    let seconds = nanos.div_euclid(1_000_000_000);
    let fraction = format!("{:09}", nanos.rem_euclid(1_000_000_000));
    format!("{seconds}.{}", &fraction[..digits.min(9)])
}

/// LEEF's default `devTime` form: `Nov 24 2026 09:12:03`.
pub fn leef(time: Timestamp) -> String {
    let c = time.civil();
    format!(
        "{} {:02} {:04} {:02}:{:02}:{:02}",
        MONTHS[c.month as usize - 1],
        c.day,
        c.year,
        c.hour,
        c.minute,
        c.second
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use whoiswatch_event::time::{parse_bind, parse_iso8601};

    #[test]
    fn each_form_reads_back_as_the_same_instant() {
        let t = parse_iso8601("2026-11-24T09:05:03.114Z").unwrap();
        assert_eq!(iso(t, 7), "2026-11-24T09:05:03.1140000Z");
        assert_eq!(parse_iso8601(&iso(t, 9)), Some(t));
        assert_eq!(sql(t, true), "2026-11-24 09:05:03.114");
        assert_eq!(syslog(t), "Nov 24 09:05:03");
        assert_eq!(bind(t), "24-Nov-2026 09:05:03.114");
        assert_eq!(parse_bind(&bind(t)), Some(t));
        assert_eq!(windows_us(t), "11/24/2026 9:05:03 AM");
        assert_eq!(epoch(t, 3), "1795511103.114");
        assert_eq!(leef(t), "Nov 24 2026 09:05:03");
    }
}

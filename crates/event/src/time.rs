//! UTC timestamps and the date formats log sources write.
//!
//! Hand-written parsers: log timestamps come in a handful of fixed shapes, and parsing them
//! is on the hot path of every format.

use std::fmt;

/// An instant in UTC, in nanoseconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

const NANOS_PER_SECOND: i64 = 1_000_000_000;
const SECONDS_PER_DAY: i64 = 86_400;

/// A broken-down UTC date and time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub nanosecond: u32,
}

impl Civil {
    /// Midnight at the start of a date; parsers then fill in the time of day.
    pub fn midnight(year: i64, month: u32, day: u32) -> Civil {
        Civil {
            year,
            month,
            day,
            hour: 0,
            minute: 0,
            second: 0,
            nanosecond: 0,
        }
    }
}

/// A span written as a number and a unit (Sigma's `timespan`, triage's windows): `30s`,
/// `5m`, `1h`, `2d`, `1w`, `1M` (30 days), `1y` (365 days) → seconds. Not zero.
pub fn parse_timespan(text: &str) -> Option<i64> {
    let text = text.trim();
    let (number, unit) = text.split_at(text.len().checked_sub(1)?);
    let n: i64 = number.parse().ok()?;
    let scale = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        "w" => 7 * 86400,
        "M" => 30 * 86400,
        "y" => 365 * 86400,
        _ => return None,
    };
    (n > 0).then(|| n.checked_mul(scale)).flatten()
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = month as i64;
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + day as i64 - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of a day count since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

impl Timestamp {
    pub fn from_civil(civil: Civil) -> Option<Timestamp> {
        if civil.month == 0
            || civil.day == 0
            || civil.day > days_in_month(civil.year, civil.month)
            || civil.hour > 23
            || civil.minute > 59
            || civil.second > 60
        {
            return None;
        }
        let days = days_from_civil(civil.year, civil.month, civil.day);
        let seconds = days * SECONDS_PER_DAY
            + i64::from(civil.hour) * 3600
            + i64::from(civil.minute) * 60
            + i64::from(civil.second);
        seconds
            .checked_mul(NANOS_PER_SECOND)?
            .checked_add(i64::from(civil.nanosecond))
            .map(Timestamp)
    }

    /// The wall clock (the Unix epoch if the clock is before it).
    pub fn now() -> Timestamp {
        let since = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Timestamp(i64::try_from(since.as_nanos()).unwrap_or(i64::MAX))
    }

    pub fn from_millis(millis: i64) -> Timestamp {
        Timestamp(millis.saturating_mul(1_000_000))
    }

    pub fn from_seconds(seconds: i64) -> Timestamp {
        Timestamp(seconds.saturating_mul(NANOS_PER_SECOND))
    }

    pub fn millis(self) -> i64 {
        self.0.div_euclid(1_000_000)
    }

    pub fn civil(self) -> Civil {
        let seconds = self.0.div_euclid(NANOS_PER_SECOND);
        let nanosecond = self.0.rem_euclid(NANOS_PER_SECOND) as u32;
        let days = seconds.div_euclid(SECONDS_PER_DAY);
        let second_of_day = seconds.rem_euclid(SECONDS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: (second_of_day / 3600) as u32,
            minute: (second_of_day / 60 % 60) as u32,
            second: (second_of_day % 60) as u32,
            nanosecond,
        }
    }

    /// Shift by a number of seconds (a time zone offset).
    pub fn minus_seconds(self, seconds: i64) -> Timestamp {
        Timestamp(self.0 - seconds * NANOS_PER_SECOND)
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 in UTC, with as many fractional digits as the value needs (0, 3, 6 or 9).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = self.civil();
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            c.year, c.month, c.day, c.hour, c.minute, c.second
        )?;
        let n = c.nanosecond;
        if n == 0 {
        } else if n.is_multiple_of(1_000_000) {
            write!(f, ".{:03}", n / 1_000_000)?;
        } else if n.is_multiple_of(1_000) {
            write!(f, ".{:06}", n / 1_000)?;
        } else {
            write!(f, ".{n:09}")?;
        }
        f.write_str("Z")
    }
}

/// A cursor over ASCII digits and separators.
struct Scanner<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str) -> Self {
        Scanner {
            bytes: text.as_bytes(),
            at: 0,
        }
    }

    fn digits(&mut self, min: usize, max: usize) -> Option<u32> {
        let start = self.at;
        let mut value: u32 = 0;
        while self.at < self.bytes.len()
            && self.at - start < max
            && self.bytes[self.at].is_ascii_digit()
        {
            value = value * 10 + u32::from(self.bytes[self.at] - b'0');
            self.at += 1;
        }
        (self.at - start >= min).then_some(value)
    }

    fn byte(&mut self, expected: u8) -> Option<()> {
        (self.bytes.get(self.at) == Some(&expected)).then(|| self.at += 1)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn rest(&self) -> &'a [u8] {
        &self.bytes[self.at..]
    }

    /// `.fffffffff` (any number of digits; past nanoseconds they are dropped).
    fn fraction(&mut self) -> u32 {
        if !matches!(self.peek(), Some(b'.') | Some(b',')) {
            return 0;
        }
        self.at += 1;
        let mut nanos: u32 = 0;
        let mut count = 0;
        while let Some(b) = self.peek().filter(u8::is_ascii_digit) {
            if count < 9 {
                nanos = nanos * 10 + u32::from(b - b'0');
                count += 1;
            }
            self.at += 1;
        }
        while count < 9 {
            nanos *= 10;
            count += 1;
        }
        nanos
    }

    fn time_of_day(&mut self, civil: &mut Civil) -> Option<()> {
        civil.hour = self.digits(1, 2)?;
        self.byte(b':')?;
        civil.minute = self.digits(2, 2)?;
        if self.byte(b':').is_some() {
            civil.second = self.digits(2, 2)?;
            civil.nanosecond = self.fraction();
        }
        Some(())
    }
}

/// ISO 8601 / RFC 3339 and the near variants logs write: `2021-11-30T22:05:50.864921Z`,
/// `2021-11-30 22:05:44.846`, `2024-04-12T19:29:12+02:00`. No zone means UTC.
pub fn parse_iso8601(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    let mut s = Scanner::new(text);
    let mut civil = Civil::midnight(0, 0, 0);
    civil.year = i64::from(s.digits(4, 4)?);
    let separator = s.peek()?;
    if separator != b'-' && separator != b'/' {
        return None;
    }
    s.at += 1;
    civil.month = s.digits(2, 2)?;
    s.byte(separator)?;
    civil.day = s.digits(2, 2)?;
    if s.peek().is_none() {
        return Timestamp::from_civil(civil);
    }
    match s.peek()? {
        b'T' | b't' | b' ' => s.at += 1,
        _ => return None,
    }
    s.time_of_day(&mut civil)?;
    let base = Timestamp::from_civil(civil)?;
    let offset = zone_offset_seconds(s.rest())?;
    Some(base.minus_seconds(offset))
}

/// `Z`, `UTC`, `+02:00`, `+0200`, `-05` or nothing (UTC).
fn zone_offset_seconds(rest: &[u8]) -> Option<i64> {
    let rest = rest.strip_prefix(b" ").unwrap_or(rest);
    match rest {
        b"" | b"Z" | b"z" | b"UTC" | b"GMT" => Some(0),
        [sign @ (b'+' | b'-'), digits @ ..] => {
            let digits: Vec<u8> = digits.iter().copied().filter(|b| *b != b':').collect();
            if !(digits.len() == 2 || digits.len() == 4) || !digits.iter().all(u8::is_ascii_digit) {
                return None;
            }
            let hours = i64::from((digits[0] - b'0') * 10 + (digits[1] - b'0'));
            let minutes = if digits.len() == 4 {
                i64::from((digits[2] - b'0') * 10 + (digits[3] - b'0'))
            } else {
                0
            };
            let offset = hours * 3600 + minutes * 60;
            Some(if *sign == b'-' { -offset } else { offset })
        }
        _ => None,
    }
}

/// Seconds since the epoch with an optional fraction (`1521911720.865716`), exactly.
pub fn parse_epoch_seconds(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, fraction),
        None => (text, ""),
    };
    let seconds: i64 = whole.parse().ok()?;
    if !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut nanos: i64 = 0;
    for (index, b) in fraction.bytes().take(9).enumerate() {
        nanos += i64::from(b - b'0') * 10i64.pow(8 - index as u32);
    }
    let sign = if whole.starts_with('-') { -1 } else { 1 };
    seconds
        .checked_mul(NANOS_PER_SECOND)?
        .checked_add(sign * nanos)
        .map(Timestamp)
}

/// Epoch seconds (as a float) — Zeek JSON writes `ts` as a number.
pub fn from_epoch_seconds_f64(seconds: f64) -> Option<Timestamp> {
    if !seconds.is_finite() || seconds.abs() > 9.0e9 {
        return None;
    }
    Some(Timestamp((seconds * 1e9).round() as i64))
}

const MONTHS: [&[u8; 3]; 12] = [
    b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov", b"dec",
];

/// `Nov` → 11 (any case).
pub fn month_from_abbreviation(name: &[u8]) -> Option<u32> {
    if name.len() != 3 {
        return None;
    }
    let lower = [
        name[0].to_ascii_lowercase(),
        name[1].to_ascii_lowercase(),
        name[2].to_ascii_lowercase(),
    ];
    MONTHS
        .iter()
        .position(|m| **m == lower)
        .map(|i| i as u32 + 1)
}

/// RFC 3164's `Nov 24 08:30:01` (also `Nov  4`), which has no year: the caller supplies it.
pub fn parse_rfc3164(text: &str, year: i64) -> Option<Timestamp> {
    let bytes = text.as_bytes();
    if bytes.len() < 15 {
        return None;
    }
    let month = month_from_abbreviation(&bytes[..3])?;
    let mut s = Scanner::new(text);
    s.at = 3;
    while s.byte(b' ').is_some() {}
    let day = s.digits(1, 2)?;
    s.byte(b' ')?;
    let mut civil = Civil::midnight(year, month, day);
    s.time_of_day(&mut civil)?;
    Timestamp::from_civil(civil)
}

/// BIND's `18-May-2021 16:34:13.003`.
pub fn parse_bind(text: &str) -> Option<Timestamp> {
    let mut s = Scanner::new(text);
    let day = s.digits(1, 2)?;
    s.byte(b'-')?;
    let month = month_from_abbreviation(s.rest().get(..3)?)?;
    s.at += 3;
    s.byte(b'-')?;
    let year = i64::from(s.digits(4, 4)?);
    s.byte(b' ')?;
    let mut civil = Civil::midnight(year, month, day);
    s.time_of_day(&mut civil)?;
    Timestamp::from_civil(civil)
}

/// Windows locale dates: `6/5/2013 10:00:32 AM` (month first, as en-US writes it) or with
/// `day_first` `5/6/2013 22:00:32`; 12- or 24-hour clock. The server's local time is
/// taken as UTC: the log does not say its zone.
pub fn parse_windows_locale(text: &str, day_first: bool) -> Option<Timestamp> {
    let mut s = Scanner::new(text);
    let first = s.digits(1, 2)?;
    let separator = s.peek()?;
    if !matches!(separator, b'/' | b'.' | b'-') {
        return None;
    }
    s.at += 1;
    let second = s.digits(1, 2)?;
    s.byte(separator)?;
    let year = i64::from(s.digits(4, 4)?);
    let (month, day) = if day_first {
        (second, first)
    } else {
        (first, second)
    };
    s.byte(b' ')?;
    let mut civil = Civil::midnight(year, month, day);
    s.time_of_day(&mut civil)?;
    let rest = std::str::from_utf8(s.rest()).ok()?.trim();
    match rest.to_ascii_uppercase().as_str() {
        "" => {}
        "AM" if civil.hour == 12 => civil.hour = 0,
        "AM" => {}
        "PM" if civil.hour < 12 => civil.hour += 12,
        "PM" => {}
        _ => return None,
    }
    Timestamp::from_civil(civil)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(text: &str) -> String {
        parse_iso8601(text)
            .map(|t| t.to_string())
            .unwrap_or_else(|| "none".into())
    }

    #[test]
    fn iso_variants() {
        assert_eq!(
            iso("2021-11-30T22:05:50.864921Z"),
            "2021-11-30T22:05:50.864921Z"
        );
        assert_eq!(iso("2021-11-30 22:05:44.846"), "2021-11-30T22:05:44.846Z");
        assert_eq!(
            iso("2020-06-10T02:51:14.9431234Z"),
            "2020-06-10T02:51:14.943123400Z"
        );
        assert_eq!(iso("2024-04-12T19:29:12+02:00"), "2024-04-12T17:29:12Z");
        assert_eq!(iso("2024-04-12T19:29:12-0530"), "2024-04-13T00:59:12Z");
        assert_eq!(iso("2024/04/12 19:29:12"), "2024-04-12T19:29:12Z");
        assert_eq!(iso("2024-02-30T00:00:00Z"), "none");
        assert_eq!(iso("yesterday"), "none");
        assert_eq!(iso("2024-04-12T19:29:12 nonsense"), "none");
    }

    #[test]
    fn civil_round_trip() {
        for days in [-800_000, -1, 0, 1, 11_016, 19_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn epoch_seconds_exact() {
        assert_eq!(
            parse_epoch_seconds("1521911720.865716")
                .unwrap()
                .to_string(),
            "2018-03-24T17:15:20.865716Z"
        );
        assert_eq!(
            parse_epoch_seconds("1588205199").unwrap().to_string(),
            "2020-04-30T00:06:39Z"
        );
        assert!(parse_epoch_seconds("12x").is_none());
    }

    #[test]
    fn log_formats() {
        assert_eq!(
            parse_rfc3164("Nov 24 08:30:01", 2026).unwrap().to_string(),
            "2026-11-24T08:30:01Z"
        );
        assert_eq!(
            parse_rfc3164("Nov  4 08:30:01", 2026).unwrap().to_string(),
            "2026-11-04T08:30:01Z"
        );
        assert_eq!(
            parse_bind("18-May-2021 16:34:13.003").unwrap().to_string(),
            "2021-05-18T16:34:13.003Z"
        );
        assert_eq!(
            parse_windows_locale("6/5/2013 10:00:32 AM", false)
                .unwrap()
                .to_string(),
            "2013-06-05T10:00:32Z"
        );
        assert_eq!(
            parse_windows_locale("6/5/2013 12:00:32 AM", false)
                .unwrap()
                .to_string(),
            "2013-06-05T00:00:32Z"
        );
        assert_eq!(
            parse_windows_locale("6/5/2013 1:00:32 PM", false)
                .unwrap()
                .to_string(),
            "2013-06-05T13:00:32Z"
        );
        assert_eq!(
            parse_windows_locale("25.12.2020 22:00:32", true)
                .unwrap()
                .to_string(),
            "2020-12-25T22:00:32Z"
        );
    }
}

//! The escalation policy's knobs, with the defaults documented in docs/triage.md.

use whoiswatch_event::Timestamp;
use whoiswatch_reference::Network;

const MINUTE: i64 = 60_000_000_000;

#[derive(Debug, Clone)]
pub struct Policy {
    /// Any source not in an allowlist counts as unauthorised.
    pub authorised_only: bool,
    /// Hosts (lower case; `*` wildcards) and networks where WHOIS use is never expected.
    pub restricted_hosts: Vec<String>,
    pub restricted_networks: Vec<Network>,
    pub business_hours: BusinessHours,
    /// This many lookups inside `burst_window` is a burst.
    pub burst_count: usize,
    pub burst_window: i64,
    /// This many distinct WHOIS servers or services inside `burst_window` is a sweep.
    pub distinct_servers: usize,
    /// Alerts of one source further apart than this start a new offense.
    pub offense_gap: i64,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            authorised_only: false,
            restricted_hosts: Vec::new(),
            restricted_networks: Vec::new(),
            business_hours: BusinessHours::default(),
            burst_count: 5,
            burst_window: 10 * MINUTE,
            distinct_servers: 3,
            offense_gap: 24 * 60 * MINUTE,
        }
    }
}

/// Working hours in the organisation's time zone (a fixed UTC offset).
#[derive(Debug, Clone, PartialEq)]
pub struct BusinessHours {
    /// Minutes after local midnight.
    pub start: u32,
    pub end: u32,
    /// Monday = 0 … Sunday = 6.
    pub days: [bool; 7],
    pub utc_offset_minutes: i32,
}

impl Default for BusinessHours {
    /// 07:00–19:00 UTC, Monday to Friday.
    fn default() -> BusinessHours {
        BusinessHours {
            start: 7 * 60,
            end: 19 * 60,
            days: [true, true, true, true, true, false, false],
            utc_offset_minutes: 0,
        }
    }
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn minutes(text: &str) -> Result<u32, String> {
    let (h, m) = text
        .trim()
        .split_once(':')
        .ok_or(format!("`{text}` is not HH:MM"))?;
    let h: u32 = h.parse().map_err(|_| format!("`{text}` is not HH:MM"))?;
    let m: u32 = m.parse().map_err(|_| format!("`{text}` is not HH:MM"))?;
    if h > 24 || m > 59 || (h == 24 && m > 0) {
        return Err(format!("`{text}` is not a time of day"));
    }
    Ok(h * 60 + m)
}

/// `+01:00`, `-05:30`, `Z`.
fn offset(text: &str) -> Result<i32, String> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("z") || text.eq_ignore_ascii_case("utc") {
        return Ok(0);
    }
    let (sign, rest) = match text.as_bytes().first() {
        Some(b'+') => (1, &text[1..]),
        Some(b'-') => (-1, &text[1..]),
        _ => return Err(format!("utc_offset `{text}` is not +HH:MM or -HH:MM")),
    };
    let m = minutes(rest).map_err(|_| format!("utc_offset `{text}` is not +HH:MM or -HH:MM"))?;
    Ok(sign * m as i32)
}

impl BusinessHours {
    pub fn parse(
        start: &str,
        end: &str,
        days: &[String],
        utc_offset: Option<&str>,
    ) -> Result<BusinessHours, String> {
        let mut hours = BusinessHours {
            start: minutes(start)?,
            end: minutes(end)?,
            utc_offset_minutes: utc_offset.map(offset).transpose()?.unwrap_or(0),
            ..BusinessHours::default()
        };
        if !days.is_empty() {
            hours.days = [false; 7];
            for day in days {
                let key = day.trim().to_ascii_lowercase();
                let index = DAYS
                    .iter()
                    .position(|d| key.starts_with(d))
                    .ok_or(format!("day `{day}` is not one of {}", DAYS.join(", ")))?;
                hours.days[index] = true;
            }
        }
        Ok(hours)
    }

    /// Outside working hours, in the organisation's local time.
    pub fn is_off_hours(&self, t: Timestamp) -> bool {
        let local_minutes = t.0.div_euclid(MINUTE) + self.utc_offset_minutes as i64;
        let day = local_minutes.div_euclid(24 * 60);
        let minute = local_minutes.rem_euclid(24 * 60) as u32;
        let weekday = (day + 3).rem_euclid(7) as usize; // 1970-01-01 was a Thursday
        let in_hours = if self.start <= self.end {
            minute >= self.start && minute < self.end
        } else {
            minute >= self.start || minute < self.end
        };
        !(self.days[weekday] && in_hours)
    }

    pub fn describe(&self) -> String {
        let days: Vec<&str> = DAYS
            .iter()
            .zip(self.days)
            .filter(|(_, on)| *on)
            .map(|(d, _)| *d)
            .collect();
        let sign = if self.utc_offset_minutes < 0 {
            '-'
        } else {
            '+'
        };
        let off = self.utc_offset_minutes.unsigned_abs();
        format!(
            "{:02}:{:02}-{:02}:{:02} {} (UTC{sign}{:02}:{:02})",
            self.start / 60,
            self.start % 60,
            self.end / 60,
            self.end % 60,
            days.join(","),
            off / 60,
            off % 60
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use whoiswatch_event::time::parse_iso8601;

    #[test]
    fn off_hours_in_local_time() {
        let hours = BusinessHours::parse("08:00", "18:00", &[], Some("+01:00")).unwrap();
        let at = |s: &str| hours.is_off_hours(parse_iso8601(s).unwrap());
        // 2026-11-24 is a Tuesday. 06:59Z is 07:59 local: off; 07:00Z is 08:00: on.
        assert!(at("2026-11-24T06:59:00Z"));
        assert!(!at("2026-11-24T07:00:00Z"));
        assert!(!at("2026-11-24T16:59:00Z"));
        assert!(at("2026-11-24T17:00:00Z"));
        // Saturday.
        assert!(at("2026-11-28T10:00:00Z"));
        assert!(BusinessHours::parse("8", "18:00", &[], None).is_err());
        assert!(BusinessHours::parse("08:00", "18:00", &["funday".into()], None).is_err());
        assert_eq!(
            hours.describe(),
            "08:00-18:00 mon,tue,wed,thu,fri (UTC+01:00)"
        );
    }
}

//! Java `SimpleDateFormat` patterns, as QRadar's DATEFORMAT and PARSETIMESTAMP and
//! LEEF's `devTimeFormat` use them, in UTC with the `en_US` locale rules Java applies by default: weeks start on Sunday and
//! week 1 is the week holding January 1st. So `YYYY` is the *week* year and `DD` the day
//! of the year — both are implemented as Java does, not aliased to `yyyy`/`dd`
//! (`YYYY` of 2026-12-31 is 2027).

use crate::time::{days_from_civil, Civil};
use crate::Timestamp;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

#[derive(Debug, Clone, PartialEq)]
enum Item {
    Literal(String),
    /// A pattern letter and how many times it was repeated.
    Field(char, usize),
}

/// A compiled pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct DatePattern {
    items: Vec<Item>,
}

const LETTERS: &str = "GyYMLwWDdFEuaHkKhmsSzZX";

impl DatePattern {
    /// Compile a pattern; letters Java does not define are an error, as in Java.
    pub fn compile(pattern: &str) -> Result<DatePattern, String> {
        let mut items = Vec::new();
        let mut chars = pattern.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\'' {
                if chars.peek() == Some(&'\'') {
                    chars.next();
                    push_literal(&mut items, '\'');
                    continue;
                }
                let mut closed = false;
                while let Some(q) = chars.next() {
                    if q == '\'' {
                        if chars.peek() == Some(&'\'') {
                            chars.next();
                            push_literal(&mut items, '\'');
                            continue;
                        }
                        closed = true;
                        break;
                    }
                    push_literal(&mut items, q);
                }
                if !closed {
                    return Err(format!("unterminated quote in date pattern '{pattern}'"));
                }
            } else if c.is_ascii_alphabetic() {
                if !LETTERS.contains(c) {
                    return Err(format!(
                        "illegal pattern character '{c}' in date pattern '{pattern}'"
                    ));
                }
                let mut count = 1;
                while chars.peek() == Some(&c) {
                    chars.next();
                    count += 1;
                }
                items.push(Item::Field(c, count));
            } else {
                push_literal(&mut items, c);
            }
        }
        Ok(DatePattern { items })
    }

    /// Format epoch milliseconds in UTC.
    pub fn format(&self, millis: i64) -> String {
        let civil = Timestamp::from_millis(millis).civil();
        let days = days_from_civil(civil.year, civil.month, civil.day);
        let mut out = String::with_capacity(24);
        for item in &self.items {
            match item {
                Item::Literal(text) => out.push_str(text),
                Item::Field(letter, count) => {
                    format_field(&mut out, *letter, *count, &civil, days, millis)
                }
            }
        }
        out
    }

    /// Parse text written in this pattern (PARSETIMESTAMP) to epoch milliseconds.
    pub fn parse(&self, text: &str) -> Option<i64> {
        let mut rest = text;
        let (mut year, mut month, mut day) = (1970i64, 1u32, 1u32);
        let (mut hour, mut minute, mut second, mut milli) = (0u32, 0u32, 0u32, 0u32);
        let mut pm: Option<bool> = None;
        let mut offset_seconds = 0i64;
        for (index, item) in self.items.iter().enumerate() {
            let next_is_number = matches!(
                self.items.get(index + 1),
                Some(Item::Field(l, _)) if "yMdHhkKmsSDu".contains(*l)
            );
            match item {
                Item::Literal(literal) => rest = rest.strip_prefix(literal.as_str())?,
                Item::Field(letter, count) => match letter {
                    'M' | 'L' if *count >= 3 => {
                        let (index, tail) = name_prefix(rest, &MONTHS)?;
                        month = index as u32 + 1;
                        rest = tail;
                    }
                    'E' => rest = name_prefix(rest, &DAYS)?.1,
                    'a' => {
                        let upper = rest.get(..2)?.to_ascii_uppercase();
                        pm = Some(match upper.as_str() {
                            "AM" => false,
                            "PM" => true,
                            _ => return None,
                        });
                        rest = &rest[2..];
                    }
                    'z' | 'Z' | 'X' => {
                        let (offset, tail) = parse_zone(rest)?;
                        offset_seconds = offset;
                        rest = tail;
                    }
                    _ => {
                        let width = if next_is_number { *count } else { usize::MAX };
                        let (value, tail) = digits(rest, width)?;
                        rest = tail;
                        match letter {
                            'y' | 'Y' if *count == 2 && value < 100 => year = 2000 + value,
                            'y' | 'Y' => year = value,
                            'M' | 'L' => month = u32::try_from(value).ok()?,
                            'd' => day = u32::try_from(value).ok()?,
                            'H' | 'k' => hour = u32::try_from(value % 24).ok()?,
                            'h' | 'K' => hour = u32::try_from(value % 12).ok()?,
                            'm' => minute = u32::try_from(value).ok()?,
                            's' => second = u32::try_from(value).ok()?,
                            'S' => milli = u32::try_from(value).ok()?,
                            _ => {}
                        }
                    }
                },
            }
        }
        if !rest.is_empty() {
            return None;
        }
        if pm == Some(true) {
            hour += 12;
        }
        let mut civil = Civil::midnight(year, month, day);
        civil.hour = hour;
        civil.minute = minute;
        civil.second = second;
        let t = Timestamp::from_civil(civil)?.minus_seconds(offset_seconds);
        Some(t.millis() + i64::from(milli))
    }
}

fn push_literal(items: &mut Vec<Item>, c: char) {
    match items.last_mut() {
        Some(Item::Literal(text)) => text.push(c),
        _ => items.push(Item::Literal(c.to_string())),
    }
}

fn digits(text: &str, width: usize) -> Option<(i64, &str)> {
    let end = text
        .bytes()
        .take(width)
        .take_while(u8::is_ascii_digit)
        .count();
    if end == 0 {
        return None;
    }
    Some((text[..end].parse().ok()?, &text[end..]))
}

/// A month or day name, full or abbreviated to three letters, any case.
fn name_prefix<'t>(text: &'t str, names: &[&str]) -> Option<(usize, &'t str)> {
    for (index, name) in names.iter().enumerate() {
        if text.len() >= name.len() && text[..name.len()].eq_ignore_ascii_case(name) {
            return Some((index, &text[name.len()..]));
        }
    }
    for (index, name) in names.iter().enumerate() {
        if text.len() >= 3 && text.is_char_boundary(3) && text[..3].eq_ignore_ascii_case(&name[..3])
        {
            return Some((index, &text[3..]));
        }
    }
    None
}

/// `Z`, `UTC`, `GMT`, `+0100`, `-05:00`.
fn parse_zone(text: &str) -> Option<(i64, &str)> {
    for name in ["UTC", "GMT", "Z"] {
        if let Some(rest) = text.strip_prefix(name) {
            return Some((0, rest));
        }
    }
    let sign = match text.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (hours, rest) = digits(&text[1..], 2)?;
    let rest = rest.strip_prefix(':').unwrap_or(rest);
    let (minutes, rest) = digits(rest, 2).unwrap_or((0, rest));
    Some((sign * (hours * 3600 + minutes * 60), rest))
}

/// Sunday = 0 … Saturday = 6 (1970-01-01 was a Thursday).
fn weekday(days: i64) -> i64 {
    (days + 4).rem_euclid(7)
}

/// The first day of week 1 of `year`: the Sunday on or before January 1st.
fn week_one_start(year: i64) -> i64 {
    let jan1 = days_from_civil(year, 1, 1);
    jan1 - weekday(jan1)
}

/// Java's week year and week of year (Sunday first, minimal days 1).
fn week_of_year(year: i64, days: i64) -> (i64, i64) {
    let next = week_one_start(year + 1);
    if days >= next {
        return (year + 1, 1);
    }
    (year, (days - week_one_start(year)) / 7 + 1)
}

fn pad(out: &mut String, value: i64, width: usize) {
    let text = value.abs().to_string();
    if value < 0 {
        out.push('-');
    }
    for _ in text.len()..width {
        out.push('0');
    }
    out.push_str(&text);
}

fn name(out: &mut String, full: &str, count: usize) {
    if count >= 4 {
        out.push_str(full);
    } else {
        out.push_str(&full[..3]);
    }
}

fn format_field(out: &mut String, letter: char, count: usize, c: &Civil, days: i64, millis: i64) {
    let year_field = |out: &mut String, year: i64| {
        if count == 2 {
            pad(out, year.rem_euclid(100), 2)
        } else {
            pad(out, year, count)
        }
    };
    match letter {
        'G' => out.push_str(if c.year > 0 { "AD" } else { "BC" }),
        'y' => year_field(out, c.year),
        'Y' => year_field(out, week_of_year(c.year, days).0),
        'M' | 'L' if count >= 3 => name(out, MONTHS[c.month as usize - 1], count),
        'M' | 'L' => pad(out, i64::from(c.month), count),
        'w' => pad(out, week_of_year(c.year, days).1, count),
        'W' => {
            let first = days_from_civil(c.year, c.month, 1);
            pad(out, (i64::from(c.day) - 1 + weekday(first)) / 7 + 1, count)
        }
        'D' => pad(out, days - days_from_civil(c.year, 1, 1) + 1, count),
        'd' => pad(out, i64::from(c.day), count),
        'F' => pad(out, (i64::from(c.day) - 1) / 7 + 1, count),
        'E' => name(out, DAYS[weekday(days) as usize], count),
        'u' => pad(out, (weekday(days) + 6) % 7 + 1, count),
        'a' => out.push_str(if c.hour < 12 { "AM" } else { "PM" }),
        'H' => pad(out, i64::from(c.hour), count),
        'k' => pad(out, if c.hour == 0 { 24 } else { i64::from(c.hour) }, count),
        'K' => pad(out, i64::from(c.hour % 12), count),
        'h' => pad(out, i64::from((c.hour + 11) % 12 + 1), count),
        'm' => pad(out, i64::from(c.minute), count),
        's' => pad(out, i64::from(c.second), count),
        'S' => pad(out, millis.rem_euclid(1000), count),
        'z' if count >= 4 => out.push_str("Coordinated Universal Time"),
        'z' => out.push_str("UTC"),
        'Z' => out.push_str("+0000"),
        'X' => out.push('Z'),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn millis(text: &str) -> i64 {
        crate::time::parse_iso8601(text).unwrap().millis()
    }

    fn format(pattern: &str, time: &str) -> String {
        DatePattern::compile(pattern).unwrap().format(millis(time))
    }

    #[test]
    fn seed_pattern_and_twelve_hour_clock() {
        assert_eq!(
            format("yyyy-MM-dd HH:mm:ss", "2026-11-24T09:05:07.123Z"),
            "2026-11-24 09:05:07"
        );
        assert_eq!(
            format("dd MMM yyyy, hh:mm:ss a SSS", "2026-11-24T00:05:07.009Z"),
            "24 Nov 2026, 12:05:07 AM 009"
        );
        assert_eq!(
            format("EEEE, MMMM d ''yy", "2026-11-24T13:00:00Z"),
            "Tuesday, November 24 '26"
        );
        assert_eq!(
            format("h 'o''clock' a z Z X", "2026-11-24T13:00:00Z"),
            "1 o'clock PM UTC +0000 Z"
        );
    }

    #[test]
    fn week_year_and_day_of_year_are_not_aliases() {
        // 2026-12-31 is a Thursday in the week (Sun 27 Dec) that holds 1 Jan 2027.
        assert_eq!(format("YYYY ww", "2026-12-31T00:00:00Z"), "2027 01");
        assert_eq!(format("yyyy DDD", "2026-12-31T00:00:00Z"), "2026 365");
        assert_eq!(format("DD", "2026-02-01T00:00:00Z"), "32");
        assert_eq!(
            format("YYYY w W F u", "2026-11-24T00:00:00Z"),
            "2026 48 4 4 2"
        );
        // 2021-01-02 (Saturday) is in week 1 of 2021: the week holding Jan 1st.
        assert_eq!(format("YYYY w", "2021-01-02T00:00:00Z"), "2021 1");
        assert_eq!(format("YYYY w", "2021-01-03T00:00:00Z"), "2021 2");
    }

    #[test]
    fn unknown_letters_are_errors() {
        assert!(DatePattern::compile("yyyy-MM-dd T HH").is_err());
        assert!(DatePattern::compile("yyyy-MM-dd 'T' HH").is_ok());
        assert!(DatePattern::compile("'open").is_err());
    }

    #[test]
    fn parse_round_trips() {
        let pattern = DatePattern::compile("yyyy-MM-dd HH:mm:ss.SSS").unwrap();
        assert_eq!(
            pattern.parse("2026-11-24 09:05:07.123"),
            Some(millis("2026-11-24T09:05:07.123Z"))
        );
        let pattern = DatePattern::compile("EEE MMM dd HH:mm:ss z yyyy").unwrap();
        assert_eq!(
            pattern.parse("Tue Nov 24 09:05:07 UTC 2026"),
            Some(millis("2026-11-24T09:05:07Z"))
        );
        let pattern = DatePattern::compile("yyyyMMddHHmm Z").unwrap();
        assert_eq!(
            pattern.parse("202611241005 +0100"),
            Some(millis("2026-11-24T09:05:00Z"))
        );
        assert_eq!(pattern.parse("2026"), None);
    }
}

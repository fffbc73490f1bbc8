//! The time clause: which events a query reads, by their `starttime` (QRadar selects by
//! the time records were received, not `devicetime`).
//!
//! **Ours**: `LAST n UNIT` is `[now − n·UNIT, now]`; `START a STOP b` is `[a, b)` with
//! both ends cut to the whole minute as IBM does (`15:51:20` starts at `15:51:00`), and
//! STOP defaults to now (inclusive). No time clause over files means every event.

use crate::ast::{TimeClause, TimePoint};
use crate::error::{ErrorKind, QueryError};
use crate::functions::dateformat::DatePattern;
use crate::functions::scalar::relative_time;

/// IBM's START/STOP formats, each also with a trailing `Z`.
const FORMATS: &[&str] = &[
    "yyyy-MM-dd HH:mm:ss",
    "yyyy-MM-dd HH:mm",
    "yyyy/MM/dd HH:mm:ss",
    "yyyy/MM/dd HH:mm",
    "yyyy/MM/dd-HH:mm:ss",
    "yyyy:MM:dd-HH:mm:ss",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Point {
    Millis(i64),
    /// `PARSEDATETIME('…')`: milliseconds before now.
    Ago(i64),
}

impl Point {
    fn at(&self, now: i64) -> i64 {
        match self {
            Point::Millis(millis) => *millis,
            Point::Ago(ago) => now - ago,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeSpec {
    Last(i64),
    Range { start: Point, stop: Option<Point> },
}

/// An inclusive start and a stop that is inclusive or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: i64,
    pub to: i64,
    pub to_inclusive: bool,
}

impl Window {
    pub fn contains(&self, millis: i64) -> bool {
        millis >= self.from && (millis < self.to || (self.to_inclusive && millis == self.to))
    }
}

fn minute(millis: i64) -> i64 {
    millis - millis.rem_euclid(60_000)
}

/// One of IBM's formats, to epoch milliseconds (UTC).
pub fn parse_ibm_time(text: &str) -> Option<i64> {
    let text = text.trim();
    let text = text.strip_suffix('Z').unwrap_or(text);
    FORMATS.iter().find_map(|format| {
        DatePattern::compile(format)
            .ok()
            .and_then(|pattern| pattern.parse(text))
    })
}

fn point(point: &TimePoint) -> Result<Point, QueryError> {
    match point {
        TimePoint::Millis(millis, _) => Ok(Point::Millis(*millis)),
        TimePoint::Text(text, span) => parse_ibm_time(text).map(Point::Millis).ok_or_else(|| {
            QueryError::new(
                ErrorKind::Type,
                format!(
                    "'{text}' is not a time in one of IBM's formats (yyyy-MM-dd HH:mm[:ss], \
                     yyyy/MM/dd HH:mm:ss, yyyy/MM/dd-HH:mm:ss, yyyy:MM:dd-HH:mm:ss)"
                ),
                *span,
            )
        }),
        TimePoint::Relative(text, span) => relative_time(text, 0)
            .map(|millis| Point::Ago(-millis))
            .ok_or_else(|| {
                QueryError::new(
                    ErrorKind::Type,
                    format!("'{text}' is not a relative time such as '1 hour ago'"),
                    *span,
                )
            }),
    }
}

impl TimeSpec {
    pub fn from_clause(clause: &TimeClause) -> Result<TimeSpec, QueryError> {
        match clause {
            TimeClause::Last {
                amount, unit, span, ..
            } => amount
                .checked_mul(unit.millis())
                .map(TimeSpec::Last)
                .ok_or_else(|| QueryError::new(ErrorKind::Type, "time span too large", *span)),
            TimeClause::Range { start, stop } => Ok(TimeSpec::Range {
                start: point(start)?,
                stop: stop.as_ref().map(point).transpose()?,
            }),
        }
    }

    pub fn window(&self, now: i64) -> Window {
        match self {
            TimeSpec::Last(span) => Window {
                from: now - span,
                to: now,
                to_inclusive: true,
            },
            TimeSpec::Range { start, stop } => match stop {
                Some(stop) => Window {
                    from: minute(start.at(now)),
                    to: minute(stop.at(now)),
                    to_inclusive: false,
                },
                None => Window {
                    from: minute(start.at(now)),
                    to: now,
                    to_inclusive: true,
                },
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn millis(text: &str) -> i64 {
        whoiswatch_event::time::parse_iso8601(text)
            .unwrap()
            .millis()
    }

    #[test]
    fn ibm_formats() {
        let expected = millis("2026-11-24T15:51:20Z");
        for text in [
            "2026-11-24 15:51:20",
            "2026/11/24 15:51:20",
            "2026/11/24-15:51:20",
            "2026:11:24-15:51:20",
            "2026-11-24 15:51:20Z",
        ] {
            assert_eq!(parse_ibm_time(text), Some(expected), "{text}");
        }
        assert_eq!(
            parse_ibm_time("2026-11-24 15:51"),
            Some(millis("2026-11-24T15:51:00Z"))
        );
        assert_eq!(parse_ibm_time("24/11/2026"), None);
    }

    #[test]
    fn start_stop_cut_to_minutes() {
        let spec = TimeSpec::Range {
            start: Point::Millis(millis("2026-11-24T15:51:20Z")),
            stop: Some(Point::Millis(millis("2026-11-24T15:53:59Z"))),
        };
        let window = spec.window(0);
        assert_eq!(window.from, millis("2026-11-24T15:51:00Z"));
        assert!(window.contains(millis("2026-11-24T15:52:59.999Z")));
        assert!(!window.contains(millis("2026-11-24T15:53:00Z")));
        let last = TimeSpec::Last(60_000).window(120_000);
        assert!(last.contains(60_000) && last.contains(120_000) && !last.contains(59_999));
    }
}

//! Values as queries compute them. Times are epoch milliseconds (QRadar's `devicetime`
//! and `starttime` are numbers), text borrows from the event where it can.
//!
//! Comparison semantics (**ours**, see docs/query.md): numbers compare as numbers
//! whatever their kind, text that reads as a number compares with a number as one,
//! addresses compare with text that reads as an address; anything with NULL is not
//! comparable, so every comparison with NULL is false.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::hash::{Hash, Hasher};
use std::net::IpAddr;

use whoiswatch_event::Value;

#[derive(Debug, Clone, PartialEq)]
pub enum Datum<'a> {
    Null,
    Integer(i64),
    Float(f64),
    Text(Cow<'a, str>),
    Boolean(bool),
    Ip(IpAddr),
}

/// A value that outlives the event it came from: result rows, group keys.
pub type Owned = Datum<'static>;

impl<'a> Datum<'a> {
    pub fn text(text: impl Into<Cow<'a, str>>) -> Datum<'a> {
        Datum::Text(text.into())
    }

    pub fn from_value(value: &'a Value) -> Datum<'a> {
        match value {
            Value::Text(text) => Datum::Text(Cow::Borrowed(text)),
            Value::Integer(n) => Datum::Integer(*n),
            Value::Float(x) => Datum::Float(*x),
            Value::Boolean(b) => Datum::Boolean(*b),
            Value::Ip(ip) => Datum::Ip(*ip),
            Value::Time(t) => Datum::Integer(t.millis()),
            Value::List(_) => Datum::Text(Cow::Owned(value.to_string())),
        }
    }

    pub fn from_owned_value(value: Value) -> Owned {
        match value {
            Value::Text(text) => Datum::Text(Cow::Owned(text.into_string())),
            other => Datum::from_value(&other).into_owned(),
        }
    }

    pub fn into_owned(self) -> Owned {
        match self {
            Datum::Text(text) => Datum::Text(Cow::Owned(text.into_owned())),
            Datum::Null => Datum::Null,
            Datum::Integer(n) => Datum::Integer(n),
            Datum::Float(x) => Datum::Float(x),
            Datum::Boolean(b) => Datum::Boolean(b),
            Datum::Ip(ip) => Datum::Ip(ip),
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Datum::Null)
    }

    /// Only TRUE is true: NULL, FALSE and non-booleans keep no row.
    pub fn is_true(&self) -> bool {
        matches!(self, Datum::Boolean(true))
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Datum::Integer(n) => Some(*n as f64),
            Datum::Float(x) => Some(*x),
            Datum::Text(text) => text.trim().parse().ok(),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Datum::Integer(n) => Some(*n),
            Datum::Float(x) if x.is_finite() => Some(x.trunc() as i64),
            Datum::Text(text) => {
                let text = text.trim();
                text.parse()
                    .ok()
                    .or_else(|| text.parse::<f64>().ok().map(|x| x.trunc() as i64))
            }
            Datum::Boolean(b) => Some(i64::from(*b)),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Datum::Text(text) => Some(text),
            _ => None,
        }
    }

    /// The value as text, as STR() and output show it; NULL has none.
    pub fn to_text(&self) -> Option<Cow<'_, str>> {
        match self {
            Datum::Null => None,
            Datum::Text(text) => Some(Cow::Borrowed(text)),
            Datum::Integer(n) => Some(Cow::Owned(n.to_string())),
            Datum::Float(x) => Some(Cow::Owned(format_float(*x))),
            Datum::Boolean(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
            Datum::Ip(ip) => Some(Cow::Owned(ip.to_string())),
        }
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            Datum::Null => "NULL",
            Datum::Integer(_) => "number",
            Datum::Float(_) => "number",
            Datum::Text(_) => "text",
            Datum::Boolean(_) => "boolean",
            Datum::Ip(_) => "address",
        }
    }

    /// How two values compare, or `None` when they cannot be compared (NULL, or text
    /// that is not a number against a number …).
    pub fn compare(&self, other: &Datum<'_>) -> Option<Ordering> {
        use Datum::*;
        match (self, other) {
            (Null, _) | (_, Null) => None,
            (Integer(a), Integer(b)) => Some(a.cmp(b)),
            (Integer(_) | Float(_), Integer(_) | Float(_)) => {
                self.as_f64()?.partial_cmp(&other.as_f64()?)
            }
            (Text(a), Text(b)) => Some(a.as_ref().cmp(b.as_ref())),
            (Integer(_) | Float(_), Text(_)) | (Text(_), Integer(_) | Float(_)) => {
                if let (Integer(a), Text(t)) = (self, other) {
                    if let Ok(b) = t.trim().parse::<i64>() {
                        return Some(a.cmp(&b));
                    }
                }
                if let (Text(t), Integer(b)) = (self, other) {
                    if let Ok(a) = t.trim().parse::<i64>() {
                        return Some(a.cmp(b));
                    }
                }
                self.as_f64()?.partial_cmp(&other.as_f64()?)
            }
            (Ip(a), Ip(b)) => Some(a.cmp(b)),
            (Ip(a), Text(t)) => t.trim().parse::<IpAddr>().ok().map(|b| a.cmp(&b)),
            (Text(t), Ip(b)) => t.trim().parse::<IpAddr>().ok().map(|a| a.cmp(b)),
            (Boolean(a), Boolean(b)) => Some(a.cmp(b)),
            (Boolean(a), Text(t)) => parse_bool(t).map(|b| a.cmp(&b)),
            (Text(t), Boolean(b)) => parse_bool(t).map(|a| a.cmp(b)),
            _ => None,
        }
    }

    /// A total order for ORDER BY and MIN/MAX over mixed values: booleans, then numbers,
    /// then addresses, then text. NULL placement is the caller's.
    pub fn sort_cmp(&self, other: &Datum<'_>) -> Ordering {
        fn rank(d: &Datum<'_>) -> u8 {
            match d {
                Datum::Null => 0,
                Datum::Boolean(_) => 1,
                Datum::Integer(_) | Datum::Float(_) => 2,
                Datum::Ip(_) => 3,
                Datum::Text(_) => 4,
            }
        }
        match (self, other) {
            (Datum::Integer(a), Datum::Integer(b)) => a.cmp(b),
            (Datum::Integer(_) | Datum::Float(_), Datum::Integer(_) | Datum::Float(_)) => {
                let (a, b) = (self.as_f64().unwrap_or(0.0), other.as_f64().unwrap_or(0.0));
                a.total_cmp(&b)
            }
            (Datum::Text(a), Datum::Text(b)) => a.as_ref().cmp(b.as_ref()),
            (Datum::Ip(a), Datum::Ip(b)) => a.cmp(b),
            (Datum::Boolean(a), Datum::Boolean(b)) => a.cmp(b),
            _ => rank(self).cmp(&rank(other)),
        }
    }
}

fn parse_bool(text: &str) -> Option<bool> {
    match text.trim() {
        t if t.eq_ignore_ascii_case("true") => Some(true),
        t if t.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// Floats print like Java's doubles where it matters to a reader: `2.0`, `0.5`.
pub fn format_float(x: f64) -> String {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.1}")
    } else {
        format!("{x}")
    }
}

/// Group keys and distinct values: equal when they print the same kind and value.
impl Eq for Datum<'_> {}

impl Hash for Datum<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::mem::discriminant(self).hash(state);
        match self {
            Datum::Null => {}
            Datum::Integer(n) => n.hash(state),
            Datum::Float(x) => x.to_bits().hash(state),
            Datum::Text(text) => text.hash(state),
            Datum::Boolean(b) => b.hash(state),
            Datum::Ip(ip) => ip.hash(state),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons_cross_kinds_and_null_never_compares() {
        let n = Datum::Integer(43);
        assert_eq!(n.compare(&Datum::text("43")), Some(Ordering::Equal));
        assert_eq!(n.compare(&Datum::Float(43.0)), Some(Ordering::Equal));
        assert_eq!(n.compare(&Datum::text("port")), None);
        assert_eq!(n.compare(&Datum::Null), None);
        let ip = Datum::Ip("10.0.0.1".parse().unwrap());
        assert_eq!(ip.compare(&Datum::text("10.0.0.1")), Some(Ordering::Equal));
        assert_eq!(
            Datum::text("b").compare(&Datum::text("a")),
            Some(Ordering::Greater)
        );
    }

    #[test]
    fn floats_print_as_doubles() {
        assert_eq!(format_float(2.0), "2.0");
        assert_eq!(format_float(0.25), "0.25");
    }
}

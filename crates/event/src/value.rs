//! Field values.

use std::fmt;
use std::net::IpAddr;

use crate::time::Timestamp;

/// A normalized field value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(Box<str>),
    Integer(i64),
    Float(f64),
    Boolean(bool),
    Ip(IpAddr),
    Time(Timestamp),
    List(Vec<Box<str>>),
}

impl Value {
    pub fn text(text: impl Into<Box<str>>) -> Value {
        Value::Text(text.into())
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Text(text) => Some(text),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Integer(n) => Some(*n),
            Value::Float(f) if f.fract() == 0.0 => Some(*f as i64),
            Value::Text(text) => text.trim().parse().ok(),
            _ => None,
        }
    }

    pub fn as_ip(&self) -> Option<IpAddr> {
        match self {
            Value::Ip(ip) => Some(*ip),
            Value::Text(text) => text.parse().ok(),
            _ => None,
        }
    }

    pub fn as_time(&self) -> Option<Timestamp> {
        match self {
            Value::Time(t) => Some(*t),
            _ => None,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Text(text) => f.write_str(text),
            Value::Integer(n) => write!(f, "{n}"),
            Value::Float(x) => write!(f, "{x}"),
            Value::Boolean(b) => write!(f, "{b}"),
            Value::Ip(ip) => write!(f, "{ip}"),
            Value::Time(t) => write!(f, "{t}"),
            Value::List(items) => {
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        f.write_str(",")?;
                    }
                    f.write_str(item)?;
                }
                Ok(())
            }
        }
    }
}

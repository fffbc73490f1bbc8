//! The compiled form of a detection: a tree of tests over field slots, evaluated against
//! one event with the scan's [`FieldCache`].

use std::net::IpAddr;

use whoiswatch_event::{time, Event, Timestamp};

pub(crate) use whoiswatch_reference::Network;

use crate::ast::Comparison;
use crate::literal_set::LiteralSet;
use crate::pattern::StrMatcher;
use crate::view::{FieldCache, SlotField};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimePart {
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
}

/// One value test on one field item.
#[derive(Debug, Clone)]
pub(crate) enum ValueTest {
    Str(StrMatcher),
    Number(Comparison, f64),
    Cidr(Network),
    TimePart(TimePart, Comparison, f64),
    /// Equal to another field of the same event.
    FieldRef {
        slot: u32,
        cased: bool,
    },
    /// The field is absent or empty.
    Null,
}

#[derive(Debug, Clone)]
pub(crate) struct FieldMatch {
    pub slot: u32,
    pub tests: Vec<ValueTest>,
    /// `all`: every test must hold (else any).
    pub all: bool,
    /// `neq`: the field matches none of the tests.
    pub negate: bool,
    /// `exists: true|false`.
    pub exists: Option<bool>,
    /// Plain literals taken out of `tests` and tested together (never with `all`).
    pub set: Option<Box<LiteralSet>>,
}

#[derive(Debug, Clone)]
pub(crate) enum Node {
    Field(FieldMatch),
    Keywords { tests: Vec<StrMatcher>, all: bool },
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    Const(bool),
}

pub(crate) struct Context<'a> {
    pub event: &'a Event,
    pub cache: &'a mut FieldCache,
    /// Slot → resolved field name.
    pub fields: &'a [SlotField],
}

fn parse_number(text: &str) -> Option<f64> {
    let text = text.trim();
    if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        return i64::from_str_radix(hex, 16).ok().map(|n| n as f64);
    }
    text.parse().ok()
}

fn time_part(t: Timestamp, part: TimePart) -> i64 {
    let seconds = t.0.div_euclid(1_000_000_000);
    let days = seconds.div_euclid(86_400);
    let (year, month, day) = time::civil_from_days(days);
    match part {
        TimePart::Minute => seconds.div_euclid(60).rem_euclid(60),
        TimePart::Hour => seconds.div_euclid(3600).rem_euclid(24),
        TimePart::Day => day as i64,
        TimePart::Month => month as i64,
        TimePart::Year => year,
        TimePart::Week => {
            // ISO week: the week holding this date's Thursday.
            let weekday = (days + 3).rem_euclid(7); // Monday = 0
            let thursday = days - weekday + 3;
            let (thursday_year, _, _) = time::civil_from_days(thursday);
            let first = time::days_from_civil(thursday_year, 1, 1);
            (thursday - first) / 7 + 1
        }
    }
}

impl FieldMatch {
    fn eval(&self, ctx: &mut Context<'_>) -> bool {
        let field = &ctx.fields[self.slot as usize];
        if let Some(expected) = self.exists {
            let present = field.value(ctx.event).is_some();
            return present == expected;
        }
        if let Some(set) = &self.set {
            let lowered = ctx.cache.lowered(self.slot, field, ctx.event);
            if lowered.iter().any(|lower| set.is_match(lower)) {
                return !self.negate;
            }
        }
        let mut any = false;
        let mut every = true;
        for test in &self.tests {
            let hit = self.test(test, ctx);
            any |= hit;
            every &= hit;
            if !self.all && hit {
                break;
            }
            if self.all && !hit {
                break;
            }
        }
        let matched = if self.all { every } else { any };
        matched != self.negate
    }

    fn test(&self, test: &ValueTest, ctx: &mut Context<'_>) -> bool {
        let field = &ctx.fields[self.slot as usize];
        match test {
            ValueTest::TimePart(part, comparison, value) => {
                let Some(v) = field.value(ctx.event) else {
                    return false;
                };
                let Some(t) = v.as_time() else { return false };
                comparison.holds(time_part(t, *part) as f64, *value)
            }
            ValueTest::FieldRef { slot, cased } => {
                let other = &ctx.fields[*slot as usize];
                let other = ctx
                    .cache
                    .items(*slot, other, ctx.event, *cased)
                    .raw
                    .to_vec();
                let items = ctx.cache.items(self.slot, field, ctx.event, *cased);
                items.raw.iter().any(|a| other.contains(a))
            }
            _ => {
                let items = ctx
                    .cache
                    .items(self.slot, field, ctx.event, test.reads_as_written());
                if items.is_empty() {
                    return match test {
                        ValueTest::Null => true,
                        ValueTest::Str(m) => m.matches_empty(),
                        _ => false,
                    };
                }
                items
                    .raw
                    .iter()
                    .zip(items.lower)
                    .any(|(raw, lower)| item_matches(test, raw, lower))
            }
        }
    }
}

impl ValueTest {
    /// Whether the test reads a value as written rather than lowered.
    fn reads_as_written(&self) -> bool {
        match self {
            ValueTest::Str(m) => m.raw,
            ValueTest::Number(..) | ValueTest::Cidr(_) => true,
            ValueTest::FieldRef { cased, .. } => *cased,
            ValueTest::Null | ValueTest::TimePart(..) => false,
        }
    }
}

fn item_matches(test: &ValueTest, raw: &str, lower: &str) -> bool {
    match test {
        ValueTest::Str(m) => m.is_match(raw, lower),
        ValueTest::Number(comparison, value) => {
            parse_number(raw).is_some_and(|n| comparison.holds(n, *value))
        }
        ValueTest::Cidr(network) => raw
            .trim()
            .parse::<IpAddr>()
            .is_ok_and(|ip| network.contains(ip)),
        ValueTest::Null => raw.is_empty(),
        ValueTest::TimePart(..) | ValueTest::FieldRef { .. } => false,
    }
}

impl Node {
    pub fn eval(&self, ctx: &mut Context<'_>) -> bool {
        match self {
            Node::Field(f) => f.eval(ctx),
            Node::And(items) => items.iter().all(|n| n.eval(ctx)),
            Node::Or(items) => items.iter().any(|n| n.eval(ctx)),
            Node::Not(inner) => !inner.eval(ctx),
            Node::Const(value) => *value,
            Node::Keywords { tests, all } => {
                let as_written = tests.iter().any(|m| m.raw);
                let texts = ctx.cache.all_texts(ctx.event, as_written);
                let hit = |m: &StrMatcher| {
                    texts
                        .raw
                        .iter()
                        .zip(texts.lower)
                        .any(|(raw, lower)| m.is_match(raw, lower))
                };
                if *all {
                    tests.iter().all(hit)
                } else {
                    tests.iter().any(hit)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_parts() {
        // 2021-01-03T10:20:00Z is a Sunday in ISO week 53 of 2020.
        let t = Timestamp(1_609_669_200 * 1_000_000_000);
        assert_eq!(time_part(t, TimePart::Hour), 10);
        assert_eq!(time_part(t, TimePart::Minute), 20);
        assert_eq!(time_part(t, TimePart::Day), 3);
        assert_eq!(time_part(t, TimePart::Month), 1);
        assert_eq!(time_part(t, TimePart::Year), 2021);
        assert_eq!(time_part(t, TimePart::Week), 53);
    }
}

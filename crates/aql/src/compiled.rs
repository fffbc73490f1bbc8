//! The typed IR a query compiles to, and its evaluation. Names are resolved, patterns,
//! regexes, networks and constant IN lists are built once; nothing is re-parsed per
//! event.

use std::borrow::Cow;
use std::cmp::Ordering;

use regex::Regex;
use rustc_hash::FxHashSet;
use whoiswatch_event::{Event, FieldName};
use whoiswatch_reference::ReferenceData;

use crate::ast::BinaryOp;
use crate::datum::{Datum, Owned};
use crate::functions::dateformat::DatePattern;
use crate::functions::{scalar, Scalar};
use crate::like::LikePattern;
use crate::native::Native;

/// What a query's expressions can see besides the event: `--now` and reference data.
#[derive(Debug, Clone, Copy)]
pub struct Env<'e> {
    pub now_millis: i64,
    pub reference: &'e ReferenceData,
}

/// The row an expression is evaluated on: an event (before grouping), or a group's
/// aggregate results and first-row values (after).
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    pub event: Option<&'a Event>,
    pub aggregates: &'a [Owned],
    pub firsts: &'a [Owned],
}

impl<'a> Scope<'a> {
    pub fn event(event: &'a Event) -> Scope<'a> {
        Scope {
            event: Some(event),
            aggregates: &[],
            firsts: &[],
        }
    }
}

#[derive(Debug, Clone)]
pub enum FieldRef {
    Event(FieldName),
    Native(Native),
}

/// Constants of an IN list: text in a hash set, the rest compared one by one.
#[derive(Debug, Clone, Default)]
pub struct ConstList {
    pub texts: FxHashSet<Box<str>>,
    pub others: Vec<Owned>,
}

/// Things built once from constant arguments.
#[derive(Debug, Clone)]
pub enum Prepared {
    None,
    Date(DatePattern),
    Regex(Regex),
    Network(whoiswatch_reference::Network),
}

#[derive(Debug, Clone)]
pub enum Compiled {
    Const(Owned),
    Field(FieldRef),
    /// The n-th aggregate of the group.
    Aggregate(usize),
    /// The n-th captured expression, evaluated on the group's first row.
    First(usize),
    Negate(Box<Compiled>),
    Not(Box<Compiled>),
    Arithmetic(BinaryOp, Box<Compiled>, Box<Compiled>),
    Compare(BinaryOp, Box<Compiled>, Box<Compiled>),
    And(Box<Compiled>, Box<Compiled>),
    Or(Box<Compiled>, Box<Compiled>),
    InConst {
        expr: Box<Compiled>,
        /// Evaluate `expr`'s argument and compare it lower-cased: `LOWER(x) IN (…)`
        /// without building the lower-cased string when it is already lower case.
        lower: bool,
        list: ConstList,
        negated: bool,
    },
    InList {
        expr: Box<Compiled>,
        list: Vec<Compiled>,
        negated: bool,
    },
    Between {
        expr: Box<Compiled>,
        low: Box<Compiled>,
        high: Box<Compiled>,
        negated: bool,
    },
    IsNull {
        expr: Box<Compiled>,
        negated: bool,
    },
    Like {
        expr: Box<Compiled>,
        pattern: LikePattern,
        negated: bool,
    },
    LikeDynamic {
        expr: Box<Compiled>,
        pattern: Box<Compiled>,
        case_insensitive: bool,
        negated: bool,
    },
    Matches {
        expr: Box<Compiled>,
        regex: Regex,
        negated: bool,
    },
    /// Every term (lower-cased) appears in the payload, case-insensitively.
    TextSearch(Vec<String>),
    Case {
        operand: Option<Box<Compiled>>,
        branches: Vec<(Compiled, Compiled)>,
        otherwise: Option<Box<Compiled>>,
    },
    Call {
        function: Scalar,
        args: Vec<Compiled>,
        prepared: Prepared,
    },
}

fn boolean(b: bool) -> Datum<'static> {
    Datum::Boolean(b)
}

impl Compiled {
    pub fn eval<'a>(&'a self, scope: &Scope<'a>, env: &Env<'a>) -> Datum<'a> {
        match self {
            Compiled::Const(value) => borrow(value),
            Compiled::Field(field) => match (field, scope.event) {
                (FieldRef::Event(name), Some(event)) => match event.value(name) {
                    Some(Cow::Borrowed(value)) => Datum::from_value(value),
                    Some(Cow::Owned(value)) => Datum::from_owned_value(value),
                    None => Datum::Null,
                },
                (FieldRef::Native(native), Some(event)) => native.value(event),
                (_, None) => Datum::Null,
            },
            Compiled::Aggregate(index) => scope.aggregates.get(*index).map_or(Datum::Null, borrow),
            Compiled::First(index) => scope.firsts.get(*index).map_or(Datum::Null, borrow),
            Compiled::Negate(inner) => match inner.eval(scope, env) {
                Datum::Integer(n) => n.checked_neg().map_or(Datum::Null, Datum::Integer),
                other => other.as_f64().map_or(Datum::Null, |x| Datum::Float(-x)),
            },
            Compiled::Not(inner) => match inner.eval(scope, env) {
                Datum::Boolean(b) => boolean(!b),
                _ => Datum::Null,
            },
            Compiled::Arithmetic(op, left, right) => {
                arithmetic(*op, &left.eval(scope, env), &right.eval(scope, env))
            }
            Compiled::Compare(op, left, right) => {
                let ordering = left.eval(scope, env).compare(&right.eval(scope, env));
                boolean(ordering.is_some_and(|o| holds(*op, o)))
            }
            Compiled::And(left, right) => {
                boolean(left.eval(scope, env).is_true() && right.eval(scope, env).is_true())
            }
            Compiled::Or(left, right) => {
                boolean(left.eval(scope, env).is_true() || right.eval(scope, env).is_true())
            }
            Compiled::InConst {
                expr,
                lower,
                list,
                negated,
            } => {
                let value = if *lower {
                    lower_case(expr, scope, env)
                } else {
                    expr.eval(scope, env)
                };
                if value.is_null() {
                    return boolean(false);
                }
                boolean(in_const(&value, list) != *negated)
            }
            Compiled::InList {
                expr,
                list,
                negated,
            } => {
                let value = expr.eval(scope, env);
                if value.is_null() {
                    return boolean(false);
                }
                let found = list
                    .iter()
                    .any(|item| value.compare(&item.eval(scope, env)) == Some(Ordering::Equal));
                boolean(found != *negated)
            }
            Compiled::Between {
                expr,
                low,
                high,
                negated,
            } => {
                let value = expr.eval(scope, env);
                let (low, high) = (low.eval(scope, env), high.eval(scope, env));
                match (value.compare(&low), value.compare(&high)) {
                    (Some(l), Some(h)) => {
                        boolean((l != Ordering::Less && h != Ordering::Greater) != *negated)
                    }
                    _ => boolean(false),
                }
            }
            Compiled::IsNull { expr, negated } => {
                boolean(expr.eval(scope, env).is_null() != *negated)
            }
            Compiled::Like {
                expr,
                pattern,
                negated,
            } => match expr.eval(scope, env).to_text() {
                Some(text) => boolean(pattern.matches(&text) != *negated),
                None => boolean(false),
            },
            Compiled::LikeDynamic {
                expr,
                pattern,
                case_insensitive,
                negated,
            } => {
                let value = expr.eval(scope, env);
                let pattern = pattern.eval(scope, env);
                match (value.to_text(), pattern.to_text()) {
                    (Some(text), Some(pattern)) => boolean(
                        LikePattern::new(&pattern, *case_insensitive).matches(&text) != *negated,
                    ),
                    _ => boolean(false),
                }
            }
            Compiled::Matches {
                expr,
                regex,
                negated,
            } => match expr.eval(scope, env).to_text() {
                Some(text) => boolean(regex.is_match(&text) != *negated),
                None => boolean(false),
            },
            Compiled::TextSearch(terms) => {
                let payload = scope
                    .event
                    .and_then(|e| e.get_str(whoiswatch_event::FieldId::Payload));
                boolean(payload.is_some_and(|payload| {
                    let payload = payload.to_lowercase();
                    terms.iter().all(|term| payload.contains(term.as_str()))
                }))
            }
            Compiled::Case {
                operand,
                branches,
                otherwise,
            } => {
                let operand = operand.as_ref().map(|o| o.eval(scope, env));
                for (when, then) in branches {
                    let hit = match &operand {
                        Some(value) => {
                            value.compare(&when.eval(scope, env)) == Some(Ordering::Equal)
                        }
                        None => when.eval(scope, env).is_true(),
                    };
                    if hit {
                        return then.eval(scope, env);
                    }
                }
                otherwise
                    .as_ref()
                    .map_or(Datum::Null, |o| o.eval(scope, env))
            }
            Compiled::Call {
                function,
                args,
                prepared,
            } => {
                let values = args.iter().map(|a| a.eval(scope, env)).collect();
                scalar::call(*function, values, prepared, scope, env)
            }
        }
    }

    /// Whether the expression reads the event (so a grouped query captures it from
    /// the group's first row).
    pub fn reads_event(&self) -> bool {
        match self {
            Compiled::Field(_) | Compiled::TextSearch(_) => true,
            Compiled::Call { function, args, .. } => {
                matches!(function, Scalar::LogSourceName | Scalar::LogSourceTypeName)
                    || args.iter().any(Compiled::reads_event)
            }
            other => other.children().iter().any(|c| c.reads_event()),
        }
    }

    pub(crate) fn children(&self) -> Vec<&Compiled> {
        match self {
            Compiled::Const(_)
            | Compiled::Field(_)
            | Compiled::Aggregate(_)
            | Compiled::First(_)
            | Compiled::TextSearch(_) => vec![],
            Compiled::Negate(e) | Compiled::Not(e) | Compiled::IsNull { expr: e, .. } => vec![e],
            Compiled::Like { expr, .. } | Compiled::Matches { expr, .. } => vec![expr],
            Compiled::InConst { expr, .. } => vec![expr],
            Compiled::Arithmetic(_, l, r)
            | Compiled::Compare(_, l, r)
            | Compiled::And(l, r)
            | Compiled::Or(l, r) => vec![l, r],
            Compiled::LikeDynamic { expr, pattern, .. } => vec![expr, pattern],
            Compiled::InList { expr, list, .. } => {
                std::iter::once(expr.as_ref()).chain(list).collect()
            }
            Compiled::Between {
                expr, low, high, ..
            } => vec![expr, low, high],
            Compiled::Case {
                operand,
                branches,
                otherwise,
            } => operand
                .iter()
                .map(|o| o.as_ref())
                .chain(branches.iter().flat_map(|(w, t)| [w, t]))
                .chain(otherwise.iter().map(|o| o.as_ref()))
                .collect(),
            Compiled::Call { args, .. } => args.iter().collect(),
        }
    }
}

fn borrow(value: &Owned) -> Datum<'_> {
    match value {
        Datum::Text(text) => Datum::Text(Cow::Borrowed(text.as_ref())),
        Datum::Null => Datum::Null,
        Datum::Integer(n) => Datum::Integer(*n),
        Datum::Float(x) => Datum::Float(*x),
        Datum::Boolean(b) => Datum::Boolean(*b),
        Datum::Ip(ip) => Datum::Ip(*ip),
    }
}

/// `LOWER(x)` for an IN test: borrowed when the text is already lower case.
fn lower_case<'a>(call: &'a Compiled, scope: &Scope<'a>, env: &Env<'a>) -> Datum<'a> {
    let Compiled::Call { args, .. } = call else {
        return call.eval(scope, env);
    };
    match args[0].eval(scope, env) {
        Datum::Text(text) => {
            if text.chars().any(char::is_uppercase) {
                Datum::Text(Cow::Owned(text.to_lowercase()))
            } else {
                Datum::Text(text)
            }
        }
        Datum::Null => Datum::Null,
        other => other
            .to_text()
            .map_or(Datum::Null, |t| Datum::Text(Cow::Owned(t.to_lowercase()))),
    }
}

fn in_const(value: &Datum<'_>, list: &ConstList) -> bool {
    if let Datum::Text(text) = value {
        if list.texts.contains(text.as_ref()) {
            return true;
        }
    } else if !list.texts.is_empty() {
        if let Some(text) = value.to_text() {
            if list.texts.contains(text.as_ref()) {
                return true;
            }
        }
    }
    list.others
        .iter()
        .any(|item| value.compare(item) == Some(Ordering::Equal))
}

fn holds(op: BinaryOp, ordering: Ordering) -> bool {
    match op {
        BinaryOp::Equal => ordering == Ordering::Equal,
        BinaryOp::NotEqual => ordering != Ordering::Equal,
        BinaryOp::Less => ordering == Ordering::Less,
        BinaryOp::LessEqual => ordering != Ordering::Greater,
        BinaryOp::Greater => ordering == Ordering::Greater,
        BinaryOp::GreaterEqual => ordering != Ordering::Less,
        _ => false,
    }
}

/// Integer arithmetic stays integer (overflow gives NULL) except `/`, which always
/// divides as floating point; anything by zero, or with NULL or non-numbers, is NULL.
pub fn arithmetic(op: BinaryOp, left: &Datum<'_>, right: &Datum<'_>) -> Datum<'static> {
    if let (Datum::Integer(a), Datum::Integer(b)) = (left, right) {
        let result = match op {
            BinaryOp::Add => a.checked_add(*b),
            BinaryOp::Subtract => a.checked_sub(*b),
            BinaryOp::Multiply => a.checked_mul(*b),
            BinaryOp::Modulo => a.checked_rem(*b),
            BinaryOp::Divide if *b != 0 => return Datum::Float(*a as f64 / *b as f64),
            _ => None,
        };
        return result.map_or(Datum::Null, Datum::Integer);
    }
    let (Some(a), Some(b)) = (numeric(left), numeric(right)) else {
        return Datum::Null;
    };
    let result = match op {
        BinaryOp::Add => a + b,
        BinaryOp::Subtract => a - b,
        BinaryOp::Multiply => a * b,
        BinaryOp::Divide if b != 0.0 => a / b,
        BinaryOp::Modulo if b != 0.0 => a % b,
        _ => return Datum::Null,
    };
    Datum::Float(result)
}

fn numeric(value: &Datum<'_>) -> Option<f64> {
    match value {
        Datum::Integer(_) | Datum::Float(_) | Datum::Text(_) => value.as_f64(),
        _ => None,
    }
}

/// The lower-cased terms of `TEXT SEARCH 'a "b c"'`: words, or phrases in double quotes.
pub fn search_terms(text: &str) -> Vec<String> {
    let mut terms = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('"') {
            let end = after.find('"').unwrap_or(after.len());
            terms.push(after[..end].to_lowercase());
            rest = after.get(end + 1..).unwrap_or("").trim_start();
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let word = &rest[..end];
            if !word.eq_ignore_ascii_case("AND") {
                terms.push(word.to_lowercase());
            }
            rest = rest[end..].trim_start();
        }
    }
    terms.retain(|t| !t.is_empty());
    terms
}

//! What a Sigma document says, typed: detection, filter and correlation rules. Built by
//! [`crate::parse`], compiled by [`crate::compile`].

use crate::condition::Condition;
use crate::modifier::Modifier;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Level {
    Informational,
    Low,
    #[default]
    Medium,
    High,
    Critical,
}

impl Level {
    pub fn from_name(name: &str) -> Option<Level> {
        Some(match name.to_ascii_lowercase().as_str() {
            "informational" => Level::Informational,
            "low" => Level::Low,
            "medium" => Level::Medium,
            "high" => Level::High,
            "critical" => Level::Critical,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Level::Informational => "informational",
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
            Level::Critical => "critical",
        }
    }
}

/// The descriptive part of any rule.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    pub id: Option<String>,
    pub name: Option<String>,
    pub title: String,
    pub status: Option<String>,
    pub description: Option<String>,
    pub author: Option<String>,
    pub date: Option<String>,
    pub level: Level,
    pub tags: Vec<String>,
    pub references: Vec<String>,
    pub falsepositives: Vec<String>,
    /// The file the rule came from.
    pub file: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogSource {
    pub product: Option<String>,
    pub category: Option<String>,
    pub service: Option<String>,
}

/// A scalar value as the rule wrote it.
#[derive(Debug, Clone, PartialEq)]
pub enum SigmaValue {
    String(String),
    Integer(i64),
    Float(f64),
    Bool(bool),
    Null,
}

/// `Field|mod|mod: values` (field `None`: a keyword list with modifiers, `'|all': [...]`).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldTest {
    pub field: Option<String>,
    pub modifiers: Vec<Modifier>,
    pub values: Vec<SigmaValue>,
}

/// A search identifier's body.
#[derive(Debug, Clone, PartialEq)]
pub enum Search {
    /// A map: every test must hold.
    AllOf(Vec<FieldTest>),
    /// A list of maps: any may hold.
    AnyOf(Vec<Search>),
    /// A list of plain values searched in the whole event.
    Keywords(FieldTest),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    pub searches: Vec<(String, Search)>,
    /// Several conditions are linked with OR.
    pub conditions: Vec<Condition>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorrelationType {
    EventCount,
    ValueCount,
    Temporal,
    TemporalOrdered,
    ValueSum,
    ValueAvg,
    ValuePercentile,
}

impl CorrelationType {
    pub fn from_name(name: &str) -> Option<CorrelationType> {
        Some(match name {
            "event_count" => CorrelationType::EventCount,
            "value_count" => CorrelationType::ValueCount,
            "temporal" => CorrelationType::Temporal,
            "temporal_ordered" => CorrelationType::TemporalOrdered,
            "value_sum" => CorrelationType::ValueSum,
            "value_avg" => CorrelationType::ValueAvg,
            "value_percentile" => CorrelationType::ValuePercentile,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Gt,
    Gte,
    Lt,
    Lte,
    Eq,
    Neq,
}

impl Comparison {
    pub fn name(self) -> &'static str {
        match self {
            Comparison::Gt => "gt",
            Comparison::Gte => "gte",
            Comparison::Lt => "lt",
            Comparison::Lte => "lte",
            Comparison::Eq => "eq",
            Comparison::Neq => "neq",
        }
    }

    pub fn holds(self, left: f64, right: f64) -> bool {
        match self {
            Comparison::Gt => left > right,
            Comparison::Gte => left >= right,
            Comparison::Lt => left < right,
            Comparison::Lte => left <= right,
            Comparison::Eq => left == right,
            Comparison::Neq => left != right,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Correlation {
    pub kind: CorrelationType,
    /// Referenced rules, by id or name.
    pub rules: Vec<String>,
    pub group_by: Vec<String>,
    pub timespan_seconds: i64,
    /// Comparisons that must all hold (a range is two).
    pub condition: Vec<(Comparison, f64)>,
    /// The field counted, summed, averaged (value_* types).
    pub field: Option<String>,
    /// alias → (rule name → field).
    pub aliases: Vec<(String, Vec<(String, String)>)>,
    /// Also report the referenced rules' own matches.
    pub generate: bool,
}

#[derive(Debug, Clone)]
pub enum RuleKind {
    Detection(Detection),
    /// A global filter: when it matches, the named rules' matches are dropped.
    Filter {
        rules: Vec<String>,
        detection: Detection,
    },
    Correlation(Correlation),
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub meta: Meta,
    pub logsource: LogSource,
    pub kind: RuleKind,
}

//! Per reader thread: every match of a rule that feeds a correlation becomes an
//! observation — its time, its group (the group-by values joined), the measured value
//! and where it came from — and, within a budget, the event itself as evidence.

use rustc_hash::FxHashMap;
use whoiswatch_correlate::correlation::Aggregate;
use whoiswatch_event::{Event, Origin, Value};

use crate::ruleset::RuleSet;
use crate::view::SlotField;

/// Observations kept per correlation and reader thread (about 48 bytes each); more are
/// counted in [`Counts::beyond_limit`].
pub const MAX_OBSERVATIONS: usize = 1_000_000;
/// Events kept as evidence per reader thread; observations beyond it keep only where
/// the event came from.
pub const MAX_EVIDENCE: usize = 20_000;

/// Separates group-by values in a group key.
pub(crate) const UNIT: char = '\u{1f}';

#[derive(Debug, Clone, Copy)]
pub(crate) enum RawValue {
    None,
    Id(u32),
    Number(f64),
}

#[derive(Debug, Clone)]
pub(crate) struct Raw {
    pub time: i64,
    pub kind: u16,
    pub group: u32,
    pub value: RawValue,
    pub origin: Origin,
    /// Index of the kept event.
    pub event: Option<u32>,
}

/// Texts to small ids.
#[derive(Default)]
pub(crate) struct Interner {
    map: FxHashMap<Box<str>, u32>,
    pub names: Vec<Box<str>>,
}

impl Interner {
    pub fn id(&mut self, text: &str) -> u32 {
        if let Some(&id) = self.map.get(text) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(text.into());
        self.map.insert(text.into(), id);
        id
    }
}

/// One correlation's observations.
#[derive(Default)]
pub(crate) struct Collected {
    pub groups: Interner,
    pub values: Interner,
    pub raws: Vec<Raw>,
}

/// What did not become an observation, and why.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub observations: u64,
    /// Beyond [`MAX_OBSERVATIONS`]: not correlated.
    pub beyond_limit: u64,
    /// The event had no time.
    pub without_time: u64,
    /// The event lacked a group-by field (as a SQL or SPL `group by`, such events are
    /// left out).
    pub without_group: u64,
}

impl Counts {
    pub fn add(&mut self, other: &Counts) {
        self.observations += other.observations;
        self.beyond_limit += other.beyond_limit;
        self.without_time += other.without_time;
        self.without_group += other.without_group;
    }
}

/// The group key of an event for one referenced rule: the group-by values joined by
/// [`UNIT`]. `None` when a group-by field is missing.
pub(crate) fn group_key(
    fields: &[Vec<SlotField>],
    kind: usize,
    event: &Event,
    key: &mut String,
) -> Option<()> {
    use std::fmt::Write;
    key.clear();
    for (i, per_rule) in fields.iter().enumerate() {
        let value = per_rule[kind].value(event)?;
        if i > 0 {
            key.push(UNIT);
        }
        let _ = write!(key, "{value}");
    }
    Some(())
}

/// The measured value of an event.
pub(crate) fn measure(
    aggregate: Aggregate,
    field: Option<&SlotField>,
    event: &Event,
    values: &mut Interner,
    scratch: &mut String,
) -> RawValue {
    use std::fmt::Write;
    let Some(value) = field.and_then(|f| f.value(event)) else {
        return RawValue::None;
    };
    match aggregate {
        Aggregate::Distinct | Aggregate::Share => {
            scratch.clear();
            let _ = write!(scratch, "{value}");
            RawValue::Id(values.id(scratch))
        }
        Aggregate::Sum | Aggregate::Average => match value.as_ref() {
            Value::Integer(n) => RawValue::Number(*n as f64),
            Value::Float(x) => RawValue::Number(*x),
            Value::Text(t) => t.trim().parse().map_or(RawValue::None, RawValue::Number),
            _ => RawValue::None,
        },
        Aggregate::Count | Aggregate::Kinds { .. } => RawValue::None,
    }
}

/// Collects observations on one reader thread.
pub struct Collector<'r> {
    set: &'r RuleSet,
    pub(crate) per: Vec<Collected>,
    pub(crate) events: Vec<Event>,
    pub(crate) counts: Counts,
    key: String,
    scratch: String,
}

impl<'r> Collector<'r> {
    pub fn new(set: &'r RuleSet) -> Collector<'r> {
        Collector {
            set,
            per: set
                .correlations
                .iter()
                .map(|_| Collected::default())
                .collect(),
            events: Vec::new(),
            counts: Counts::default(),
            key: String::new(),
            scratch: String::new(),
        }
    }

    /// The event matched these rules (indices into [`RuleSet::rules`]).
    pub fn observe(&mut self, event: &Event, hits: &[usize]) {
        let set = self.set;
        let mut kept: Option<Option<u32>> = None;
        for &rule in hits {
            for &(c, kind) in &set.references[rule] {
                let correlation = &set.correlations[c as usize];
                let Some(time) = event.device_time() else {
                    self.counts.without_time += 1;
                    continue;
                };
                let collected = &mut self.per[c as usize];
                if collected.raws.len() >= MAX_OBSERVATIONS {
                    self.counts.beyond_limit += 1;
                    continue;
                }
                let fields = &correlation.group_fields;
                if group_key(fields, kind as usize, event, &mut self.key).is_none() {
                    self.counts.without_group += 1;
                    continue;
                }
                let group = collected.groups.id(&self.key);
                let value = measure(
                    correlation.aggregate(),
                    correlation.value_field.as_ref(),
                    event,
                    &mut collected.values,
                    &mut self.scratch,
                );
                let event_index = *kept.get_or_insert_with(|| {
                    (self.events.len() < MAX_EVIDENCE).then(|| {
                        self.events.push(event.clone());
                        (self.events.len() - 1) as u32
                    })
                });
                collected.raws.push(Raw {
                    time: time.0,
                    kind,
                    group,
                    value,
                    origin: event.origin.clone(),
                    event: event_index,
                });
                self.counts.observations += 1;
            }
        }
    }
}

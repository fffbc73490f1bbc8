//! After the scan: the reader threads' observations merged (ids remapped, a fixed order
//! whatever thread read what), each correlation's windows judged in evaluation order,
//! and the firings of a chained correlation fed to the correlations built on it.

use whoiswatch_correlate::correlation::{evaluate, Firing, Observation, Value};
use whoiswatch_event::{Event, Origin, Timestamp};

use super::collect::{group_key, measure, Collected, Collector, Counts, Raw, RawValue, UNIT};
use crate::ruleset::RuleSet;

/// One firing of a correlation rule.
#[derive(Debug, Clone)]
pub struct CorrelationMatch {
    /// Index into [`RuleSet::correlations`].
    pub correlation: usize,
    /// Group-by name and value.
    pub group: Vec<(String, String)>,
    /// First and last matched event in the window.
    pub start: Timestamp,
    pub end: Timestamp,
    /// The count, distinct count, sum, average, share (%) or number of rules that met
    /// the condition.
    pub value: f64,
    /// value_percentile: the value whose share it is.
    pub share_of: Option<String>,
    /// Matches in the window.
    pub observations: usize,
    /// Where the matches came from (the first ones and the last).
    pub members: Vec<Origin>,
    /// The matched events that were kept, the last one first.
    pub evidence: Vec<Event>,
}

/// All firings, and what could not be correlated.
#[derive(Debug, Default)]
pub struct Correlated {
    /// Firings of the correlations that are reported, by end time.
    pub matches: Vec<CorrelationMatch>,
    pub counts: Counts,
}

/// Merge the threads' collectors and judge every correlation.
pub fn correlate(set: &RuleSet, collectors: Vec<Collector<'_>>) -> Correlated {
    let mut per: Vec<Collected> = set
        .correlations
        .iter()
        .map(|_| Collected::default())
        .collect();
    let mut events: Vec<Event> = Vec::new();
    let mut counts = Counts::default();
    for collector in collectors {
        counts.add(&collector.counts);
        let offset = events.len() as u32;
        events.extend(collector.events);
        for (merged, local) in per.iter_mut().zip(collector.per) {
            let groups: Vec<u32> = local
                .groups
                .names
                .iter()
                .map(|g| merged.groups.id(g))
                .collect();
            let values: Vec<u32> = local
                .values
                .names
                .iter()
                .map(|v| merged.values.id(v))
                .collect();
            merged.raws.extend(local.raws.into_iter().map(|raw| Raw {
                group: groups[raw.group as usize],
                value: match raw.value {
                    RawValue::Id(id) => RawValue::Id(values[id as usize]),
                    other => other,
                },
                event: raw.event.map(|e| e + offset),
                ..raw
            }));
        }
    }
    let mut matches = Vec::new();
    let mut key = String::new();
    let mut scratch = String::new();
    for c in 0..per.len() {
        let correlation = &set.correlations[c];
        let mut raws = std::mem::take(&mut per[c].raws);
        raws.sort_by(|a, b| {
            (a.time, &a.origin.file, a.origin.position, a.kind).cmp(&(
                b.time,
                &b.origin.file,
                b.origin.position,
                b.kind,
            ))
        });
        let mut observations: Vec<Observation> = raws
            .iter()
            .enumerate()
            .map(|(i, raw)| Observation {
                time: raw.time,
                group: raw.group,
                kind: raw.kind,
                value: match raw.value {
                    RawValue::None => Value::None,
                    RawValue::Id(id) => Value::Id(id),
                    RawValue::Number(n) => Value::Number(n),
                },
                member: i as u32,
            })
            .collect();
        let firings = evaluate(
            correlation.aggregate(),
            correlation
                .spec
                .timespan_seconds
                .saturating_mul(1_000_000_000),
            correlation.growing(),
            |v| correlation.holds(v),
            &mut observations,
        );
        let group_names: Vec<String> = correlation.spec.group_by.clone();
        for firing in &firings {
            let last = &raws[*firing.members.last().expect("a firing has members") as usize];
            // Feed the correlations built on this one (later in evaluation order).
            let (done, later) = per.split_at_mut(c + 1);
            for (outer, outer_correlation) in set.correlations.iter().enumerate().skip(c + 1) {
                for (kind, r) in outer_correlation.rules.iter().enumerate() {
                    if *r != Err(c) {
                        continue;
                    }
                    let raw = chained(
                        outer_correlation,
                        kind,
                        firing,
                        last,
                        &done[c].groups.names[firing.group as usize],
                        &group_names,
                        &events,
                        &mut later[outer - c - 1],
                        (&mut key, &mut scratch),
                    );
                    match raw {
                        Some(raw) => later[outer - c - 1].raws.push(raw),
                        None => counts.without_group += 1,
                    }
                }
            }
            if set.correlation_reported(c) {
                matches.push(firing_match(
                    c,
                    firing,
                    &raws,
                    &per[c],
                    &group_names,
                    &events,
                ));
            }
        }
    }
    matches.sort_by_key(|m| (m.end, m.correlation));
    Correlated { matches, counts }
}

fn firing_match(
    correlation: usize,
    firing: &Firing,
    raws: &[Raw],
    collected: &Collected,
    group_names: &[String],
    events: &[Event],
) -> CorrelationMatch {
    let key = &collected.groups.names[firing.group as usize];
    let group = if group_names.is_empty() {
        Vec::new()
    } else {
        group_names
            .iter()
            .cloned()
            .zip(key.split(UNIT).map(str::to_string))
            .collect()
    };
    let members: Vec<&Raw> = firing.members.iter().map(|&m| &raws[m as usize]).collect();
    let mut evidence: Vec<Event> = Vec::new();
    for raw in members.iter().rev() {
        if let Some(e) = raw.event {
            let event = &events[e as usize];
            if !evidence.iter().any(|k| k.origin == event.origin) {
                evidence.push(event.clone());
            }
        }
    }
    CorrelationMatch {
        correlation,
        group,
        start: Timestamp(firing.start),
        end: Timestamp(firing.end),
        value: firing.value,
        share_of: firing
            .share_of
            .map(|id| collected.values.names[id as usize].to_string()),
        observations: firing.observations,
        members: members.iter().map(|r| r.origin.clone()).collect(),
        evidence,
    }
}

/// A firing of an inner correlation as an observation of an outer one: its group read
/// from the last matched event (through the outer rule's aliases), or, when that event
/// was not kept, from the inner group values of the same names.
#[allow(clippy::too_many_arguments)]
fn chained(
    outer: &crate::correlation::CompiledCorrelation,
    kind: usize,
    firing: &Firing,
    last: &Raw,
    inner_key: &str,
    inner_names: &[String],
    events: &[Event],
    collected: &mut Collected,
    (key, scratch): (&mut String, &mut String),
) -> Option<Raw> {
    let event = last.event.map(|e| &events[e as usize]);
    let found = match event {
        Some(event) => group_key(&outer.group_fields, kind, event, key),
        None => None,
    };
    if found.is_none() {
        let inner: Vec<&str> = inner_key.split(UNIT).collect();
        key.clear();
        for (i, name) in outer.spec.group_by.iter().enumerate() {
            let at = inner_names.iter().position(|n| n == name)?;
            if i > 0 {
                key.push(UNIT);
            }
            key.push_str(inner.get(at)?);
        }
    }
    let value = match event {
        Some(event) => measure(
            outer.aggregate(),
            outer.value_field.as_ref(),
            event,
            &mut collected.values,
            scratch,
        ),
        None => RawValue::None,
    };
    Some(Raw {
        time: firing.end,
        kind: kind as u16,
        group: collected.groups.id(key),
        value,
        origin: last.origin.clone(),
        event: last.event,
    })
}

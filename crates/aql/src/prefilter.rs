//! Which events can produce a row, decided from a few fields: the time window and the
//! WHERE clause, applied exactly as [`crate::Worker::push`] applies them. A reader that
//! builds events in two steps types only these fields first and finishes only the events
//! this says yes to (over the seed query, fewer than 1 in 100); the others reach the
//! worker with just these fields, which is all the worker reads of them.

use whoiswatch_event::{Event, FieldId, FieldName};
use whoiswatch_reference::ReferenceData;

use crate::compiled::{Compiled, FieldRef, Scope};
use crate::functions::Scalar;
use crate::time_clause::Window;
use crate::{Env, Plan};

/// The fields behind the log source type an event derives when the record lacks it
/// ([`Event::device_type`], [`Event::log_source_type_name`], `LOGSOURCETYPENAME`).
const LOG_SOURCE_TYPE: &[FieldId] = &[FieldId::DeviceType, FieldId::LogSourceTypeName];

/// The fields behind the log source an event derives when the record lacks it
/// ([`Event::log_source_id`], [`Event::log_source_name`], `LOGSOURCENAME`).
const LOG_SOURCE: &[FieldId] = &[
    FieldId::LogSourceId,
    FieldId::LogSourceName,
    FieldId::Hostname,
];

/// The fields a derived log source value depends on, beside itself.
fn derived_from(id: FieldId) -> &'static [FieldId] {
    match id {
        FieldId::DeviceType | FieldId::LogSourceTypeName => LOG_SOURCE_TYPE,
        FieldId::LogSourceId | FieldId::LogSourceName => LOG_SOURCE,
        _ => &[],
    }
}

/// The time window and WHERE clause of a plan, with the canonical fields they read.
#[derive(Debug, Clone)]
pub struct Prefilter {
    window: Option<Window>,
    filter: Option<Compiled>,
    now_millis: i64,
    fields: Vec<FieldId>,
    /// Empty: a WHERE that uses reference data is not prefiltered.
    reference: ReferenceData,
}

impl Prefilter {
    /// `None` when the plan keeps every event (no window, no WHERE) or its WHERE reads
    /// more than canonical fields: custom properties, the payload, QRadar natives,
    /// reference data or functions without data.
    pub fn new(plan: &Plan, window: Option<Window>, now_millis: i64) -> Option<Prefilter> {
        if window.is_none() && plan.filter.is_none() {
            return None;
        }
        // The window reads the start time, which falls back to the device time.
        let mut fields = vec![FieldId::StartTime, FieldId::DeviceTime];
        if let Some(filter) = &plan.filter {
            if !event_fields(filter, &mut fields) {
                return None;
            }
        }
        fields.sort_by_key(|id| *id as usize);
        fields.dedup();
        Some(Prefilter {
            window,
            filter: plan.filter.clone(),
            now_millis,
            fields,
            reference: ReferenceData::default(),
        })
    }

    /// The canonical fields [`Prefilter::wants`] reads.
    pub fn fields(&self) -> &[FieldId] {
        &self.fields
    }

    /// Whether the event is in the window and satisfies the WHERE clause; only the
    /// fields of [`Prefilter::fields`] are looked at.
    pub fn wants(&self, event: &Event) -> bool {
        if let Some(window) = self.window {
            match event.start_time() {
                Some(start) if window.contains(start.millis()) => {}
                _ => return false,
            }
        }
        let Some(filter) = &self.filter else {
            return true;
        };
        let env = Env {
            now_millis: self.now_millis,
            reference: &self.reference,
        };
        filter.eval(&Scope::event(event), &env).is_true()
    }
}

/// Adds the canonical fields `expr` reads to `out`; false when it reads anything else.
fn event_fields(expr: &Compiled, out: &mut Vec<FieldId>) -> bool {
    match expr {
        Compiled::Field(FieldRef::Event(FieldName::Canonical(id))) => {
            match id {
                FieldId::Payload => return false,
                FieldId::StartTime => out.push(FieldId::DeviceTime),
                id => out.extend_from_slice(derived_from(*id)),
            }
            out.push(*id);
        }
        Compiled::Field(_)
        | Compiled::TextSearch(_)
        | Compiled::Aggregate(_)
        | Compiled::First(_) => return false,
        Compiled::Call { function, .. } => match function {
            Scalar::LogSourceName => out.extend_from_slice(LOG_SOURCE),
            Scalar::LogSourceTypeName => out.extend_from_slice(LOG_SOURCE_TYPE),
            Scalar::DateFormat
            | Scalar::ParseDateTime
            | Scalar::ParseTimestamp
            | Scalar::Now
            | Scalar::Lower
            | Scalar::Upper
            | Scalar::StrLen
            | Scalar::StrPos
            | Scalar::Substring
            | Scalar::Concat
            | Scalar::ReplaceAll
            | Scalar::ReplaceFirst
            | Scalar::Str
            | Scalar::Long
            | Scalar::Double
            | Scalar::Base64
            | Scalar::Utf8
            | Scalar::InCidr
            | Scalar::ProtocolName => {}
            _ => return false,
        },
        _ => {}
    }
    expr.children().into_iter().all(|c| event_fields(c, out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prefilter(query: &str) -> Option<Prefilter> {
        let reference = ReferenceData::default();
        let plan = crate::compile(query, &reference).unwrap();
        let window = plan.time.as_ref().map(|t| t.window(1_800_000_000_000));
        Prefilter::new(&plan, window, 1_800_000_000_000)
    }

    #[test]
    fn reads_the_where_fields_and_the_time() {
        let seed = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../content/queries/t1596_002_whois.aql"
        ))
        .unwrap();
        let p = prefilter(&seed).unwrap();
        for id in [
            FieldId::DestinationPort,
            FieldId::DestinationHostname,
            FieldId::DeviceType,
            FieldId::StartTime,
            FieldId::DeviceTime,
        ] {
            assert!(p.fields().contains(&id), "{id:?}");
        }
        assert!(!p.fields().contains(&FieldId::SourceIp));
        assert!(!p.fields().contains(&FieldId::Message));
    }

    #[test]
    fn keeps_out_of_what_it_cannot_see() {
        // Everything kept: nothing to decide.
        assert!(prefilter("SELECT * FROM events").is_none());
        // The payload, a custom property, a QRadar native, reference data.
        assert!(prefilter("SELECT * FROM events WHERE payload ILIKE '%whois%'").is_none());
        assert!(prefilter("SELECT * FROM events WHERE TEXT SEARCH 'whois'").is_none());
        assert!(prefilter("SELECT * FROM events WHERE \"My Property\" = 'x'").is_none());
        assert!(prefilter("SELECT * FROM events WHERE eventdirection = 'L2R'").is_none());
        // A time clause alone is enough.
        assert!(prefilter("SELECT * FROM events LAST 1 HOURS").is_some());
    }
}

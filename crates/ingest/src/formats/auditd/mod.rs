//! Linux auditd raw logs. Records of one event share `audit(EPOCH:SERIAL)` (and `node=`),
//! may interleave with other events' records, and end with `type=EOE`; they are grouped
//! into one event. Logs written without EOE records are grouped by a window instead.

mod build;
mod record;

use std::io::BufRead;

use rustc_hash::FxHashMap;
use whoiswatch_event::Position;

use crate::emit::{Emitter, Stop};
use crate::error::ErrorKind;
use crate::input::lines::for_each_line;
use crate::options::Options;
use record::{parse_record, Record};

pub(crate) const FORMAT: &str = "auditd";

/// A group still waiting for records; flushed this many records after its last one.
const WINDOW: u64 = 256;

struct Group {
    records: Vec<Record>,
    first_line: u64,
    last_seen: u64,
    order: u64,
}

/// Types that userspace writes alone (no SYSCALL, no EOE).
fn is_standalone(kind: &str) -> bool {
    ["USER_", "CRED_", "DAEMON_", "SYSTEM_"]
        .iter()
        .any(|prefix| kind.starts_with(prefix))
}

pub(crate) fn parse(
    reader: &mut dyn BufRead,
    emit: &mut Emitter<'_>,
    options: &Options,
) -> Result<(), Stop> {
    let mut pending: FxHashMap<(Option<String>, u64), Group> = FxHashMap::default();
    let mut uses_eoe = false;
    let mut count: u64 = 0;
    for_each_line(
        reader,
        emit,
        options.max_record_bytes,
        &mut |number, bytes, emit| {
            let text = String::from_utf8_lossy(bytes);
            let trimmed = text.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                return Ok(());
            }
            count += 1;
            let record = match parse_record(trimmed) {
                Ok(record) => record,
                Err(reason) => {
                    return emit.error(Position::Line(number), ErrorKind::BadField, reason)
                }
            };
            let key = (record.node.clone(), record.serial);
            if record.kind == "EOE" {
                uses_eoe = true;
                if let Some(group) = pending.remove(&key) {
                    finish(group, emit, false)?;
                }
            } else if is_standalone(&record.kind) && !pending.contains_key(&key) {
                let group = Group {
                    records: vec![record],
                    first_line: number,
                    last_seen: count,
                    order: count,
                };
                finish(group, emit, false)?;
            } else {
                let group = pending.entry(key).or_insert_with(|| Group {
                    records: Vec::new(),
                    first_line: number,
                    last_seen: count,
                    order: count,
                });
                group.records.push(record);
                group.last_seen = count;
            }
            if count.is_multiple_of(64) {
                flush_idle(&mut pending, count, uses_eoe, emit)?;
            }
            Ok(())
        },
    )?;
    let mut rest: Vec<Group> = pending.into_values().collect();
    rest.sort_by_key(|g| g.order);
    for group in rest {
        finish(group, emit, uses_eoe)?;
    }
    Ok(())
}

fn flush_idle(
    pending: &mut FxHashMap<(Option<String>, u64), Group>,
    count: u64,
    uses_eoe: bool,
    emit: &mut Emitter<'_>,
) -> Result<(), Stop> {
    let idle: Vec<_> = pending
        .iter()
        .filter(|(_, g)| count - g.last_seen > WINDOW)
        .map(|(k, g)| (k.clone(), g.order))
        .collect();
    let mut idle = idle;
    idle.sort_by_key(|(_, order)| *order);
    for (key, _) in idle {
        if let Some(group) = pending.remove(&key) {
            finish(group, emit, uses_eoe)?;
        }
    }
    Ok(())
}

fn finish(group: Group, emit: &mut Emitter<'_>, missing_eoe: bool) -> Result<(), Stop> {
    let position = Position::Line(group.first_line);
    if missing_eoe {
        emit.error(
            position,
            ErrorKind::MissingEoe,
            format!(
                "auditd event {} has no EOE record; built from the {} records read",
                group.records[0].serial,
                group.records.len()
            ),
        )?;
    }
    let event = build::build_event(&group.records, emit.origin(position));
    emit.event(FORMAT, event);
    Ok(())
}

//! `--explain`: the plan as text, from the scan to the limit, and how every name in the
//! query was resolved.

use std::fmt::Write;

use whoiswatch_event::Timestamp;

use crate::ast::{SelectItem, Table, TimeClause, TimePoint};
use crate::plan::{Plan, Shape};
use crate::time_clause::Window;

fn instant(millis: i64) -> String {
    Timestamp::from_millis(millis).to_string()
}

fn time_clause(clause: &TimeClause) -> String {
    let point = |p: &TimePoint| match p {
        TimePoint::Text(t, _) => format!("'{t}'"),
        TimePoint::Relative(t, _) => format!("PARSEDATETIME('{t}')"),
        TimePoint::Millis(m, _) => m.to_string(),
    };
    match clause {
        TimeClause::Last { amount, unit, .. } => format!("LAST {amount} {unit:?}").to_uppercase(),
        TimeClause::Range { start, stop } => match stop {
            Some(stop) => format!("START {} STOP {}", point(start), point(stop)),
            None => format!("START {}", point(start)),
        },
    }
}

/// The plan of a valid query. `window` is the time window for the run's `--now`.
pub fn explain(plan: &Plan, window: Option<Window>) -> String {
    let query = &plan.query;
    let mut out = String::new();
    let table = match query.table {
        Table::Events => "events",
        Table::Flows => "flows (read as events)",
    };
    let _ = writeln!(out, "plan:");
    let _ = write!(out, "  1. scan {table}");
    match (&query.time, window) {
        (Some(clause), Some(w)) => {
            let close = if w.to_inclusive { ']' } else { ')' };
            let _ = writeln!(
                out,
                ", starttime in [{}, {}{close}  ({})",
                instant(w.from),
                instant(w.to),
                time_clause(clause)
            );
        }
        (Some(clause), None) => {
            let _ = writeln!(out, ", {}", time_clause(clause));
        }
        _ => {
            let _ = writeln!(out, ", every event (no time clause)");
        }
    }
    let mut step = 2;
    let mut line = |out: &mut String, text: String| {
        let _ = writeln!(out, "  {step}. {text}");
        step += 1;
    };
    if let Some(filter) = &query.filter {
        line(&mut out, format!("filter {filter}"));
    }
    let outputs: Vec<String> = query
        .select
        .iter()
        .map(|item| match item {
            SelectItem::All(_) => "* (every normalized field)".to_string(),
            SelectItem::Expr { expr, alias } => match alias {
                Some(alias) => format!("{expr} AS \"{alias}\""),
                None => expr.to_string(),
            },
        })
        .collect();
    match &plan.shape {
        Shape::Rows { .. } => line(&mut out, format!("project {}", outputs.join(", "))),
        Shape::Groups {
            aggregates,
            captures,
            ..
        } => {
            let keys: Vec<String> = query.group_by.iter().map(|k| k.to_string()).collect();
            let keys = if keys.is_empty() {
                "one group (no GROUP BY)".to_string()
            } else {
                format!("group by {}", keys.join(", "))
            };
            line(
                &mut out,
                format!(
                    "hash aggregate: {keys}; {} aggregate(s); {} column(s) take the group's \
                     first value",
                    aggregates.len(),
                    captures.len()
                ),
            );
            if let Some(having) = &query.having {
                line(&mut out, format!("having {having}"));
            }
            line(&mut out, format!("project {}", outputs.join(", ")));
        }
    }
    if !query.order_by.is_empty() {
        let keys: Vec<String> = query
            .order_by
            .iter()
            .map(|o| format!("{} {}", o.expr, if o.descending { "DESC" } else { "ASC" }))
            .collect();
        let how = match plan.limit {
            Some(limit) => format!("top {limit} by"),
            None => "sort by".to_string(),
        };
        line(
            &mut out,
            format!(
                "{how} {} (NULLs last, ties in input order)",
                keys.join(", ")
            ),
        );
    } else if let Some(limit) = plan.limit {
        line(
            &mut out,
            format!("limit {limit} (first rows in input order)"),
        );
    }
    let _ = writeln!(out, "columns: {}", plan.columns.join(", "));
    if !plan.fields.is_empty() {
        let _ = writeln!(out, "fields:");
        for field in &plan.fields {
            let mark = if field.known { "" } else { "  [UNKNOWN]" };
            let _ = writeln!(out, "  {} → {}{mark}", field.written, field.resolved);
        }
    }
    if !plan.notes.is_empty() {
        let _ = writeln!(out, "notes:");
        for note in &plan.notes {
            let _ = writeln!(out, "  - {note}");
        }
    }
    out
}

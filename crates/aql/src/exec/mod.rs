//! The streaming executor. One [`Executor`] per query run; each reading thread gets a
//! [`Worker`] that filters, projects and aggregates the events of one input at a time.
//! When an input ends its partial result goes to a merger that applies the inputs in
//! their order, so the answer is the same whatever the number of threads: rows stream
//! in input order, groups keep first-seen order, FIRST/LAST see events in input order.
//!
//! Memory: a query without ORDER BY or GROUP BY streams (rows of the input being merged
//! go straight to the sink; later inputs buffer their rows until their turn); ORDER BY
//! with LIMIT keeps at most twice the limit; GROUP BY keeps one entry per group.

pub mod aggregate;
pub mod groups;
pub mod order;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use whoiswatch_event::Event;

use crate::compiled::{Env, Scope};
use crate::datum::{Datum, Owned};
use crate::plan::{Plan, Shape};
use crate::time_clause::Window;
use aggregate::AggState;
use groups::{Group, GroupTable};
use order::TopK;

/// Where result rows go: the visible columns, in SELECT order.
pub trait RowSink {
    fn row(&mut self, row: &[Owned]);
}

impl<F: FnMut(&[Owned])> RowSink for F {
    fn row(&mut self, row: &[Owned]) {
        self(row)
    }
}

/// What a run saw.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// Events read.
    pub read: u64,
    /// Events inside the time window (all of them without a time clause).
    pub in_window: u64,
    /// Events left out by the time clause because they carry no time.
    pub without_time: u64,
    /// Events that passed WHERE.
    pub matched: u64,
    /// Result rows written.
    pub rows: u64,
    /// The newest `starttime` read, epoch milliseconds.
    pub newest: Option<i64>,
    /// A LIMIT without ORDER BY was reached: later events were read but not evaluated.
    pub limit_reached: bool,
}

impl Stats {
    fn add(&mut self, other: &Stats) {
        self.read += other.read;
        self.in_window += other.in_window;
        self.without_time += other.without_time;
        self.matched += other.matched;
        self.newest = self.newest.max(other.newest);
    }
}

/// Unordered rows are offered to the merger every this many (an input still waiting
/// for its turn keeps them and is asked again after as many more).
const FLUSH_ROWS: usize = 256;

pub struct Executor<'p> {
    plan: &'p Plan,
    env: Env<'p>,
    window: Option<Window>,
    merger: Mutex<Merger<'p>>,
    satisfied: AtomicBool,
}

impl<'p> Executor<'p> {
    pub fn new(plan: &'p Plan, env: Env<'p>, sink: &'p mut (dyn RowSink + Send)) -> Self {
        let window = plan.time.as_ref().map(|t| t.window(env.now_millis));
        Executor {
            plan,
            env,
            window,
            merger: Mutex::new(Merger {
                plan,
                sink,
                next: 0,
                pending: BTreeMap::new(),
                emitted: 0,
                top: TopK::default(),
                groups: GroupTable::default(),
                stats: Stats::default(),
            }),
            satisfied: AtomicBool::new(false),
        }
    }

    /// The time window the query reads, when it has a time clause.
    pub fn window(&self) -> Option<Window> {
        self.window
    }

    pub fn worker(&self) -> Worker<'_, 'p> {
        Worker {
            exec: self,
            input: 0,
            input_rows: 0,
            stats: Stats::default(),
            rows: Vec::new(),
            top: TopK::default(),
            groups: GroupTable::default(),
        }
    }

    fn merger(&self) -> std::sync::MutexGuard<'_, Merger<'p>> {
        // A panic while merging leaves no half-applied state worth refusing.
        self.merger.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Apply what is still pending, finish groups and sorting, write the remaining
    /// rows. Call after every worker has ended its inputs.
    pub fn finish(self) -> Stats {
        let env = self.env;
        let mut merger = self.merger.into_inner().unwrap_or_else(|e| e.into_inner());
        let pending = std::mem::take(&mut merger.pending);
        for (_, batch) in pending {
            merger.apply(batch);
        }
        merger.finish(&env);
        let mut stats = merger.stats;
        stats.limit_reached = self.satisfied.into_inner();
        stats
    }
}

/// Run a plan over events on the calling thread, as one input: the whole executor for
/// callers that already hold their events (tests, benchmarks, embedding).
pub fn run<'p, 'e>(
    plan: &'p Plan,
    env: Env<'p>,
    events: impl IntoIterator<Item = &'e Event>,
    sink: &'p mut (dyn RowSink + Send),
) -> Stats {
    let executor = Executor::new(plan, env, sink);
    let mut worker = executor.worker();
    worker.begin(0);
    for event in events {
        worker.push(event);
    }
    worker.end(0);
    drop(worker);
    executor.finish()
}

/// One input's partial result.
struct Batch {
    stats: Stats,
    rows: Vec<Vec<Owned>>,
    top: TopK,
    groups: GroupTable,
}

struct Merger<'p> {
    plan: &'p Plan,
    sink: &'p mut (dyn RowSink + Send),
    /// The next input to apply; its rows may be written as they come.
    next: usize,
    pending: BTreeMap<usize, Batch>,
    emitted: u64,
    top: TopK,
    groups: GroupTable,
    stats: Stats,
}

impl Merger<'_> {
    fn submit(&mut self, index: usize, batch: Batch) {
        self.pending.insert(index, batch);
        while let Some(batch) = self.pending.remove(&self.next) {
            self.apply(batch);
            self.next += 1;
        }
    }

    fn apply(&mut self, batch: Batch) {
        self.stats.add(&batch.stats);
        self.emit(batch.rows);
        let plan = self.plan;
        self.top.extend(batch.top.rows, &plan.order, plan.limit);
        self.groups.merge(batch.groups);
    }

    /// Write rows (already in output order), stopping at the LIMIT. Returns whether
    /// the limit has been reached.
    fn emit(&mut self, rows: Vec<Vec<Owned>>) -> bool {
        let visible = self.plan.columns.len();
        for row in rows {
            if self.plan.limit.is_some_and(|limit| self.emitted >= limit) {
                break;
            }
            self.sink.row(&row[..visible.min(row.len())]);
            self.emitted += 1;
        }
        self.stats.rows = self.emitted;
        self.plan.limit.is_some_and(|limit| self.emitted >= limit)
    }

    fn finish(&mut self, env: &Env<'_>) {
        let plan = self.plan;
        if let Shape::Groups {
            keys,
            aggregates,
            captures,
            outputs,
        } = &plan.shape
        {
            let mut groups = std::mem::take(&mut self.groups).into_groups();
            // An aggregate over no events is still one row (COUNT(*) = 0).
            if keys.is_empty() && groups.is_empty() {
                groups.push(Group {
                    key: Vec::new(),
                    firsts: vec![Datum::Null; captures.len()],
                    aggs: aggregates
                        .iter()
                        .map(|a| AggState::new(a.function))
                        .collect(),
                });
            }
            let mut rows = Vec::new();
            for group in groups {
                let finished: Vec<Owned> = group.aggs.iter().map(AggState::finish).collect();
                let scope = Scope {
                    event: None,
                    aggregates: &finished,
                    firsts: &group.firsts,
                };
                if let Some(having) = &plan.having {
                    if !having.eval(&scope, env).is_true() {
                        continue;
                    }
                }
                let row: Vec<Owned> = outputs
                    .iter()
                    .map(|o| o.eval(&scope, env).into_owned())
                    .collect();
                if plan.order.is_empty() {
                    rows.push(row);
                    if plan.limit.is_some_and(|l| rows.len() as u64 >= l) {
                        break;
                    }
                } else {
                    self.top.push(row, &plan.order, plan.limit);
                }
            }
            self.emit(rows);
        }
        if !plan.order.is_empty() {
            let top = std::mem::take(&mut self.top);
            let rows = top.finish(&plan.order, plan.limit);
            self.emit(rows);
        }
    }
}

/// Evaluates the events of one thread. Call [`Worker::begin`] before an input's
/// events and [`Worker::end`] after them.
pub struct Worker<'x, 'p> {
    exec: &'x Executor<'p>,
    input: usize,
    /// Rows this input produced (for LIMIT without ORDER BY).
    input_rows: u64,
    stats: Stats,
    rows: Vec<Vec<Owned>>,
    top: TopK,
    groups: GroupTable,
}

impl Worker<'_, '_> {
    /// An event the query's [`crate::Prefilter`] rejected: counted as [`Worker::push`]
    /// counts it, nothing more (it cannot produce a row).
    pub fn push_rejected(&mut self, event: &Event) {
        self.count(event);
    }

    /// Counts an event read; whether it is in the time window.
    fn count(&mut self, event: &Event) -> bool {
        self.stats.read += 1;
        let start = event.start_time().map(|t| t.millis());
        if start.is_some() {
            self.stats.newest = self.stats.newest.max(start);
        }
        if let Some(window) = self.exec.window {
            match start {
                Some(start) if window.contains(start) => {}
                Some(_) => return false,
                None => {
                    self.stats.without_time += 1;
                    return false;
                }
            }
        }
        self.stats.in_window += 1;
        true
    }

    pub fn begin(&mut self, index: usize) {
        self.input = index;
        self.input_rows = 0;
    }

    pub fn push(&mut self, event: &Event) {
        let exec = self.exec;
        let plan = exec.plan;
        let env = &exec.env;
        if !self.count(event) {
            return;
        }
        if exec.satisfied.load(Ordering::Relaxed) {
            return;
        }
        let scope = Scope::event(event);
        if let Some(filter) = &plan.filter {
            if !filter.eval(&scope, env).is_true() {
                return;
            }
        }
        self.stats.matched += 1;
        match &plan.shape {
            Shape::Rows { outputs } => {
                if plan.order.is_empty() && plan.limit.is_some_and(|l| self.input_rows >= l) {
                    return;
                }
                let row: Vec<Owned> = outputs
                    .iter()
                    .map(|o| o.eval(&scope, env).into_owned())
                    .collect();
                self.input_rows += 1;
                if plan.order.is_empty() {
                    self.rows.push(row);
                    if self.rows.len().is_multiple_of(FLUSH_ROWS) {
                        self.flush();
                    }
                } else {
                    self.top.push(row, &plan.order, plan.limit);
                }
            }
            Shape::Groups {
                keys,
                aggregates,
                captures,
                ..
            } => {
                let key: Vec<Datum<'_>> = keys.iter().map(|k| k.eval(&scope, env)).collect();
                let group = self.groups.entry(key, |key| Group {
                    key,
                    firsts: captures
                        .iter()
                        .map(|c| c.eval(&scope, env).into_owned())
                        .collect(),
                    aggs: aggregates
                        .iter()
                        .map(|a| AggState::new(a.function))
                        .collect(),
                });
                for (state, spec) in group.aggs.iter_mut().zip(aggregates) {
                    match &spec.arg {
                        None => state.update(Datum::Integer(1)),
                        Some(arg) => state.update(arg.eval(&scope, env)),
                    }
                }
            }
        }
    }

    /// Rows of the input being merged go to the sink now; others wait for their turn.
    fn flush(&mut self) {
        let mut merger = self.exec.merger();
        if merger.next == self.input {
            let rows = std::mem::take(&mut self.rows);
            if merger.emit(rows) {
                self.exec.satisfied.store(true, Ordering::Relaxed);
            }
        }
    }

    pub fn end(&mut self, index: usize) {
        let batch = Batch {
            stats: std::mem::take(&mut self.stats),
            rows: std::mem::take(&mut self.rows),
            top: std::mem::take(&mut self.top),
            groups: std::mem::take(&mut self.groups),
        };
        let mut merger = self.exec.merger();
        merger.submit(index, batch);
        if merger.plan.order.is_empty() && merger.plan.limit.is_some_and(|l| merger.emitted >= l) {
            self.exec.satisfied.store(true, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use whoiswatch_event::{Category, FieldId, LogSourceType, Origin, Position, Value};
    use whoiswatch_reference::ReferenceData;

    use super::*;

    fn events(input: i64, n: i64) -> Vec<Event> {
        (0..n)
            .map(|i| {
                let mut event = Event::new(
                    &LogSourceType::JSON,
                    Category::default(),
                    Origin {
                        file: "x".into(),
                        position: Position::Line(i as u64),
                    },
                );
                event.set(FieldId::SourcePort, Value::Integer(input * 10_000 + i));
                event
            })
            .collect()
    }

    /// Input 1 is read first on one worker while input 0 streams on another: rows still
    /// come out in input order, past several flushes, with and without a LIMIT.
    #[test]
    fn a_later_input_waits_for_its_turn() {
        let reference = ReferenceData::default();
        let env = Env {
            now_millis: 0,
            reference: &reference,
        };
        for (query, expected) in [
            ("SELECT sourceport FROM events", 1200),
            ("SELECT sourceport FROM events LIMIT 700", 700),
        ] {
            let plan = crate::compile(query, &reference).unwrap();
            let rows = std::sync::Mutex::new(Vec::new());
            let mut sink = |row: &[Owned]| rows.lock().unwrap().push(row[0].as_i64().unwrap());
            let executor = Executor::new(&plan, env, &mut sink);
            let (first, second) = (events(0, 600), events(1, 600));
            let mut late = executor.worker();
            let mut head = executor.worker();
            late.begin(1);
            second.iter().for_each(|e| late.push(e));
            head.begin(0);
            first.iter().for_each(|e| head.push(e));
            head.end(0);
            late.end(1);
            drop((late, head));
            let stats = executor.finish();
            let rows = rows.into_inner().unwrap();
            let want: Vec<i64> = (0..600).chain(10_000..10_600).take(expected).collect();
            assert_eq!(rows, want, "{query}");
            assert_eq!(stats.rows, expected as u64);
        }
    }
}

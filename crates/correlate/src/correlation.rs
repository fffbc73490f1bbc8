//! Correlation of matches per group over time windows: how many, how many distinct
//! values, their sum, average or share, and whether several kinds of match occur
//! together (in a given order). Sigma correlation rules run on this; it knows nothing of
//! Sigma.
//!
//! Two ways a window is judged:
//! - **Growing** conditions (counts, distinct counts and sums that must reach a
//!   threshold, and temporal proximity) are checked as each observation arrives, over
//!   the window that ends with it: every observation of the group at most `length`
//!   earlier (both edges included). When the condition holds the window fires and the
//!   group starts afresh, so one burst makes one firing.
//! - **Closing** conditions (an upper bound, equality, an average, a share) are checked
//!   once a window is complete: windows are consecutive per group, each starting at its
//!   first observation and holding everything up to `length` later. A window of three
//!   events cannot be judged "fewer than five" before it is over.
//!
//! Memory: the observations are given as a slice; the state beside them is one window
//! per group at a time (its observations, distinct values and kinds), at most the
//! densest window.

use std::collections::VecDeque;

use rustc_hash::FxHashMap;

/// What is measured in a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    /// Observations.
    Count,
    /// Distinct values (`Value::Id`); observations without a value do not count.
    Distinct,
    /// Sum of the numbers.
    Sum,
    /// Average of the numbers.
    Average,
    /// Per distinct value, the percentage of the window's observations that carry it
    /// (0–100); a window fires once per value whose share meets the condition.
    Share,
    /// How many of `kinds` kinds of observation occur in the window, or with `ordered`
    /// how long a prefix of the kinds occurs in order (kind 0, then 1, …).
    Kinds { kinds: u16, ordered: bool },
}

/// The measured value an observation carries.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    None,
    /// An interned value (for distinct counts and shares).
    Id(u32),
    Number(f64),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observation {
    /// Nanoseconds since the epoch.
    pub time: i64,
    pub group: u32,
    /// Which of the correlated kinds (rules) it is.
    pub kind: u16,
    pub value: Value,
    /// The caller's handle for the observation (its evidence).
    pub member: u32,
}

/// Members kept per firing: the first ones and the last.
pub const MAX_MEMBERS: usize = 16;

#[derive(Debug, Clone, PartialEq)]
pub struct Firing {
    pub group: u32,
    /// First and last observation time in the window.
    pub start: i64,
    pub end: i64,
    /// The measured value that met the condition.
    pub value: f64,
    /// For [`Aggregate::Share`]: the value whose share it is.
    pub share_of: Option<u32>,
    /// Observations in the window.
    pub observations: usize,
    /// Members of the window in time order (at most [`MAX_MEMBERS`]: the first ones
    /// and the last).
    pub members: Vec<u32>,
}

/// Whether a condition made of these comparisons can only become true as a window
/// gains observations: only lower bounds, on a measure that never shrinks as it grows.
pub fn is_growing(aggregate: Aggregate, only_lower_bounds: bool) -> bool {
    match aggregate {
        Aggregate::Kinds { .. } => only_lower_bounds,
        Aggregate::Count | Aggregate::Distinct | Aggregate::Sum => only_lower_bounds,
        Aggregate::Average | Aggregate::Share => false,
    }
}

/// Judge every group's windows. `observations` is sorted here (by group, time, kind,
/// member); firings come out in that order.
pub fn evaluate(
    aggregate: Aggregate,
    length: i64,
    growing: bool,
    holds: impl Fn(f64) -> bool,
    observations: &mut [Observation],
) -> Vec<Firing> {
    observations.sort_by(|a, b| {
        (a.group, a.time, a.kind, a.member).cmp(&(b.group, b.time, b.kind, b.member))
    });
    let mut firings = Vec::new();
    for group in observations.chunk_by(|a, b| a.group == b.group) {
        match (aggregate, growing) {
            (Aggregate::Kinds { kinds, ordered }, _) => {
                kinds_windows(group, length, kinds, ordered, &holds, &mut firings)
            }
            (_, true) => growing_windows(aggregate, group, length, &holds, &mut firings),
            (_, false) => closing_windows(aggregate, group, length, &holds, &mut firings),
        }
    }
    firings
}

fn members<'a>(window: impl ExactSizeIterator<Item = &'a Observation>) -> Vec<u32> {
    let n = window.len();
    let mut out = Vec::with_capacity(n.min(MAX_MEMBERS));
    for (i, o) in window.enumerate() {
        if i < MAX_MEMBERS - 1 || i == n - 1 {
            out.push(o.member);
        }
    }
    out
}

/// The running measure of a window that only grows at its end and shrinks at its start.
#[derive(Default)]
struct Running {
    count: usize,
    sum: f64,
    distinct: FxHashMap<u32, usize>,
}

impl Running {
    fn add(&mut self, o: &Observation) {
        self.count += 1;
        match o.value {
            Value::Number(n) => self.sum += n,
            Value::Id(id) => *self.distinct.entry(id).or_default() += 1,
            Value::None => {}
        }
    }

    fn remove(&mut self, o: &Observation) {
        self.count -= 1;
        match o.value {
            Value::Number(n) => self.sum -= n,
            Value::Id(id) => {
                if let Some(n) = self.distinct.get_mut(&id) {
                    *n -= 1;
                    if *n == 0 {
                        self.distinct.remove(&id);
                    }
                }
            }
            Value::None => {}
        }
    }

    fn measure(&self, aggregate: Aggregate, numbers: usize) -> Option<f64> {
        match aggregate {
            Aggregate::Count => Some(self.count as f64),
            Aggregate::Distinct => Some(self.distinct.len() as f64),
            Aggregate::Sum => Some(self.sum),
            Aggregate::Average => (numbers > 0).then(|| self.sum / numbers as f64),
            Aggregate::Share | Aggregate::Kinds { .. } => None,
        }
    }
}

fn growing_windows(
    aggregate: Aggregate,
    group: &[Observation],
    length: i64,
    holds: &impl Fn(f64) -> bool,
    firings: &mut Vec<Firing>,
) {
    let mut window: VecDeque<&Observation> = VecDeque::new();
    let mut running = Running::default();
    for o in group {
        while let Some(front) = window.front() {
            if o.time - front.time <= length {
                break;
            }
            running.remove(front);
            window.pop_front();
        }
        window.push_back(o);
        running.add(o);
        let Some(value) = running.measure(aggregate, 0) else {
            continue;
        };
        if holds(value) {
            firings.push(Firing {
                group: o.group,
                start: window.front().map_or(o.time, |f| f.time),
                end: o.time,
                value,
                share_of: None,
                observations: window.len(),
                members: members(window.iter().copied()),
            });
            window.clear();
            running = Running::default();
        }
    }
}

fn closing_windows(
    aggregate: Aggregate,
    group: &[Observation],
    length: i64,
    holds: &impl Fn(f64) -> bool,
    firings: &mut Vec<Firing>,
) {
    let mut start = 0;
    while start < group.len() {
        let first = group[start].time;
        let end = start + group[start..].partition_point(|o| o.time - first <= length);
        judge(aggregate, &group[start..end], holds, firings);
        start = end;
    }
}

/// One complete window of a closing condition.
fn judge(
    aggregate: Aggregate,
    window: &[Observation],
    holds: &impl Fn(f64) -> bool,
    firings: &mut Vec<Firing>,
) {
    let (Some(first), Some(last)) = (window.first(), window.last()) else {
        return;
    };
    let firing = |value: f64, share_of: Option<u32>, members: Vec<u32>| Firing {
        group: first.group,
        start: first.time,
        end: last.time,
        value,
        share_of,
        observations: window.len(),
        members,
    };
    if aggregate == Aggregate::Share {
        let mut counts: Vec<(u32, usize)> = Vec::new();
        for o in window {
            if let Value::Id(id) = o.value {
                match counts.iter_mut().find(|(v, _)| *v == id) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((id, 1)),
                }
            }
        }
        for (id, n) in counts {
            let share = 100.0 * n as f64 / window.len() as f64;
            if holds(share) {
                let carriers = window.iter().filter(|o| o.value == Value::Id(id));
                let carriers: Vec<&Observation> = carriers.collect();
                firings.push(firing(share, Some(id), members(carriers.into_iter())));
            }
        }
        return;
    }
    let mut running = Running::default();
    let mut numbers = 0;
    for o in window {
        running.add(o);
        numbers += matches!(o.value, Value::Number(_)) as usize;
    }
    if let Some(value) = running.measure(aggregate, numbers) {
        if holds(value) {
            firings.push(firing(value, None, members(window.iter())));
        }
    }
}

/// Temporal proximity. Unordered: the kinds seen within `length` before each arrival.
/// Ordered: for each prefix of the kinds, the latest start of an in-order chain that
/// completes it, with its members; an arrival of kind k extends the chain of prefix k.
fn kinds_windows(
    group: &[Observation],
    length: i64,
    kinds: u16,
    ordered: bool,
    holds: &impl Fn(f64) -> bool,
    firings: &mut Vec<Firing>,
) {
    let kinds = kinds as usize;
    // Per kind: when its chain started (unordered: when it was seen) and the members.
    let mut state: Vec<Option<(i64, Vec<u32>)>> = vec![None; kinds];
    for o in group {
        let k = o.kind as usize;
        if k >= kinds {
            continue;
        }
        if ordered {
            let extended = if k == 0 {
                Some((o.time, vec![o.member]))
            } else {
                state[k - 1].clone().map(|(start, mut chain)| {
                    chain.push(o.member);
                    (start, chain)
                })
            };
            if let Some(candidate) = extended {
                if state[k].as_ref().is_none_or(|(s, _)| candidate.0 >= *s) {
                    state[k] = Some(candidate);
                }
            }
        } else {
            state[k] = Some((o.time, vec![o.member]));
        }
        let fresh =
            |s: &Option<(i64, Vec<u32>)>| s.as_ref().is_some_and(|(t, _)| o.time - t <= length);
        let (value, start, members) = if ordered {
            // The longest prefix whose chain started within the window.
            match (0..kinds).rev().find(|&p| fresh(&state[p])) {
                Some(p) => {
                    let (start, chain) = state[p].clone().expect("fresh");
                    (p + 1, start, chain)
                }
                None => (0, o.time, Vec::new()),
            }
        } else {
            let mut seen: Vec<(i64, u32)> = state
                .iter()
                .filter(|s| fresh(s))
                .flatten()
                .map(|(t, m)| (*t, m[0]))
                .collect();
            seen.sort_unstable();
            let start = seen.first().map_or(o.time, |s| s.0);
            (seen.len(), start, seen.into_iter().map(|s| s.1).collect())
        };
        if value > 0 && holds(value as f64) {
            firings.push(Firing {
                group: o.group,
                start,
                end: o.time,
                value: value as f64,
                share_of: None,
                observations: members.len(),
                members,
            });
            state = vec![None; kinds];
        }
    }
}

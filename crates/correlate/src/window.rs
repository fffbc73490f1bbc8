//! Sliding windows: the most observations, or distinct values, inside any window of a
//! given length.

use std::collections::VecDeque;
use std::hash::Hash;

use rustc_hash::FxHashMap;

/// The densest window: how many, and when it started and ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WindowPeak {
    pub count: usize,
    pub start: i64,
    pub end: i64,
}

/// The most observations in any window `[t, t + length]` (both edges included).
/// `times` must be sorted.
pub fn max_count_in_window(times: &[i64], length: i64) -> WindowPeak {
    let mut best = WindowPeak::default();
    let mut first = 0;
    for (last, &t) in times.iter().enumerate() {
        while t - times[first] > length {
            first += 1;
        }
        let count = last - first + 1;
        if count > best.count {
            best = WindowPeak {
                count,
                start: times[first],
                end: t,
            };
        }
    }
    best
}

/// The most distinct values in any window of `length` (edges included). `items` must
/// be sorted by time.
pub fn max_distinct_in_window<V: Eq + Hash + Clone>(items: &[(i64, V)], length: i64) -> WindowPeak {
    let mut best = WindowPeak::default();
    let mut counts: FxHashMap<V, usize> = FxHashMap::default();
    let mut inside: VecDeque<&(i64, V)> = VecDeque::new();
    for item in items {
        inside.push_back(item);
        *counts.entry(item.1.clone()).or_default() += 1;
        while let Some(front) = inside.front() {
            if item.0 - front.0 <= length {
                break;
            }
            let front = inside.pop_front().expect("front");
            if let Some(n) = counts.get_mut(&front.1) {
                *n -= 1;
                if *n == 0 {
                    counts.remove(&front.1);
                }
            }
        }
        if counts.len() > best.count {
            best = WindowPeak {
                count: counts.len(),
                start: inside.front().map(|f| f.0).unwrap_or(item.0),
                end: item.0,
            };
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000_000_000;

    #[test]
    fn count_window_edges_are_inclusive() {
        // 0, 5, 10 minutes: a 10-minute window holds all three (edge included), a
        // 9-minute window two.
        let times = [0, 5 * MIN, 10 * MIN, 30 * MIN];
        assert_eq!(max_count_in_window(&times, 10 * MIN).count, 3);
        assert_eq!(max_count_in_window(&times, 10 * MIN - 1).count, 2);
        let peak = max_count_in_window(&times, 10 * MIN);
        assert_eq!((peak.start, peak.end), (0, 10 * MIN));
        assert_eq!(max_count_in_window(&[], MIN).count, 0);
    }

    #[test]
    fn distinct_values_leave_the_window() {
        let items = [
            (0, "a"),
            (MIN, "b"),
            (2 * MIN, "a"),
            (12 * MIN, "c"),
            (13 * MIN, "d"),
        ];
        // Window of 10 minutes: {a, b} at 2 min; at 12 min `a`@2 is still inside (10
        // minutes back, edge included): {a, c}; at 13 min: {c, d}.
        assert_eq!(max_distinct_in_window(&items, 10 * MIN).count, 2);
        assert_eq!(max_distinct_in_window(&items, 13 * MIN).count, 4);
    }
}

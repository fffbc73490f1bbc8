//! Each correlation measure on hand-made observations, with the expected firings worked
//! out by hand (window edges included).

use whoiswatch_correlate::correlation::{
    evaluate, is_growing, Aggregate, Firing, Observation, Value,
};

const S: i64 = 1_000_000_000;

fn obs(time_s: i64, group: u32, kind: u16, value: Value, member: u32) -> Observation {
    Observation {
        time: time_s * S,
        group,
        kind,
        value,
        member,
    }
}

/// Observations of one kind, no value, one group, at these seconds.
fn at(seconds: &[i64]) -> Vec<Observation> {
    seconds
        .iter()
        .enumerate()
        .map(|(i, &t)| obs(t, 0, 0, Value::None, i as u32))
        .collect()
}

fn spans(firings: &[Firing]) -> Vec<(i64, i64, f64)> {
    firings
        .iter()
        .map(|f| (f.start / S, f.end / S, f.value))
        .collect()
}

#[test]
fn event_count_window_edges_are_inclusive() {
    // gte 3 within 10 s. 0, 5, 10: the third is exactly 10 s after the first — inside.
    let mut o = at(&[0, 5, 10]);
    let f = evaluate(Aggregate::Count, 10 * S, true, |n| n >= 3.0, &mut o);
    assert_eq!(spans(&f), vec![(0, 10, 3.0)]);
    assert_eq!(f[0].members, vec![0, 1, 2]);
    // 0, 5, 11: 11 s after the first — the first has left; never three.
    let mut o = at(&[0, 5, 11]);
    assert!(evaluate(Aggregate::Count, 10 * S, true, |n| n >= 3.0, &mut o).is_empty());
}

#[test]
fn a_burst_fires_once_then_the_group_starts_afresh() {
    // gte 2 within 10 s: 0,1 fire; 2 starts a new window, 3 completes it; 30 alone.
    let mut o = at(&[0, 1, 2, 3, 30]);
    let f = evaluate(Aggregate::Count, 10 * S, true, |n| n >= 2.0, &mut o);
    assert_eq!(spans(&f), vec![(0, 1, 2.0), (2, 3, 2.0)]);
}

#[test]
fn groups_are_counted_apart() {
    let mut o = vec![
        obs(0, 1, 0, Value::None, 0),
        obs(1, 2, 0, Value::None, 1),
        obs(2, 1, 0, Value::None, 2),
        obs(3, 2, 0, Value::None, 3),
    ];
    // gte 3 per group: neither group has three.
    let none = evaluate(Aggregate::Count, 60 * S, true, |n| n >= 3.0, &mut o.clone());
    assert!(none.is_empty());
    let f = evaluate(Aggregate::Count, 60 * S, true, |n| n >= 2.0, &mut o);
    assert_eq!(
        f.iter()
            .map(|f| (f.group, f.members.clone()))
            .collect::<Vec<_>>(),
        vec![(1, vec![0, 2]), (2, vec![1, 3])]
    );
}

#[test]
fn upper_bounds_judge_complete_windows() {
    // lt 3 within 10 s. Windows start at each group's first observation not yet in a
    // window: [0, 10] holds 0, 4, 10 (three: not < 3); [20, 30] holds 20, 25 (two: fires);
    // [50, 60] holds 50 (one: fires).
    assert!(!is_growing(Aggregate::Count, false));
    let mut o = at(&[0, 4, 10, 20, 25, 50]);
    let f = evaluate(Aggregate::Count, 10 * S, false, |n| n < 3.0, &mut o);
    assert_eq!(spans(&f), vec![(20, 25, 2.0), (50, 50, 1.0)]);
    // eq 3: only the first window.
    let f = evaluate(Aggregate::Count, 10 * S, false, |n| n == 3.0, &mut o);
    assert_eq!(spans(&f), vec![(0, 10, 3.0)]);
}

#[test]
fn value_count_counts_distinct_values_in_the_window() {
    // Distinct users gte 3 within 60 s: a, b, a, c → fires at c (3 distinct, 4 events).
    let values = [1, 2, 1, 3];
    let mut o: Vec<Observation> = values
        .iter()
        .enumerate()
        .map(|(i, &v)| obs(i as i64 * 10, 0, 0, Value::Id(v), i as u32))
        .collect();
    let f = evaluate(Aggregate::Distinct, 60 * S, true, |n| n >= 3.0, &mut o);
    assert_eq!(spans(&f), vec![(0, 30, 3.0)]);
    assert_eq!(f[0].observations, 4);
    // Within 15 s the window at c holds only a@20 and c@30: never three.
    assert!(evaluate(Aggregate::Distinct, 15 * S, true, |n| n >= 3.0, &mut o).is_empty());
    // Observations without a value count as events but not as values.
    let mut o = vec![obs(0, 0, 0, Value::None, 0), obs(1, 0, 0, Value::Id(7), 1)];
    let f = evaluate(Aggregate::Distinct, 60 * S, true, |n| n >= 1.0, &mut o);
    assert_eq!((f[0].value, f[0].observations), (1.0, 2));
}

#[test]
fn value_sum_crosses_its_threshold_in_a_sliding_window() {
    // Bytes gt 1000 within 60 s: 400@0, 400@30, 300@70 → at 70 the window holds 30 and
    // 70 (700); 400@90 → 30, 70, 90 = 1100 > 1000: fires.
    let bytes = [(0, 400.0), (30, 400.0), (70, 300.0), (90, 400.0)];
    let mut o: Vec<Observation> = bytes
        .iter()
        .enumerate()
        .map(|(i, &(t, b))| obs(t, 0, 0, Value::Number(b), i as u32))
        .collect();
    let f = evaluate(Aggregate::Sum, 60 * S, true, |n| n > 1000.0, &mut o);
    assert_eq!(spans(&f), vec![(30, 90, 1100.0)]);
    assert_eq!(f[0].members, vec![1, 2, 3]);
}

#[test]
fn value_avg_judges_each_complete_window() {
    // Average gt 500 within 60 s: [0, 60] = 400, 800, 600 → 600 fires; [100, 160] = 200.
    let values = [(0, 400.0), (30, 800.0), (60, 600.0), (100, 200.0)];
    let mut o: Vec<Observation> = values
        .iter()
        .enumerate()
        .map(|(i, &(t, v))| obs(t, 0, 0, Value::Number(v), i as u32))
        .collect();
    let f = evaluate(Aggregate::Average, 60 * S, false, |n| n > 500.0, &mut o);
    assert_eq!(spans(&f), vec![(0, 60, 600.0)]);
}

#[test]
fn value_percentile_finds_rare_values() {
    // Share lte 10 (%) within 1 h: 19 × value 1 and 1 × value 2 → value 2 is 5 %.
    let mut o: Vec<Observation> = (0..20)
        .map(|i| obs(i, 0, 0, Value::Id(if i == 7 { 2 } else { 1 }), i as u32))
        .collect();
    let f = evaluate(Aggregate::Share, 3600 * S, false, |n| n <= 10.0, &mut o);
    assert_eq!(f.len(), 1);
    assert_eq!(
        (f[0].share_of, f[0].value, f[0].members.clone()),
        (Some(2), 5.0, vec![7])
    );
}

#[test]
fn temporal_needs_every_kind_within_the_window() {
    let kinds = Aggregate::Kinds {
        kinds: 3,
        ordered: false,
    };
    // Kinds 2, 0, 1 at 0, 5, 10 within 10 s: all three, in any order.
    let mut o = vec![
        obs(0, 0, 2, Value::None, 0),
        obs(5, 0, 0, Value::None, 1),
        obs(10, 0, 1, Value::None, 2),
    ];
    let f = evaluate(kinds, 10 * S, true, |n| n >= 3.0, &mut o.clone());
    assert_eq!(spans(&f), vec![(0, 10, 3.0)]);
    assert_eq!(f[0].members, vec![0, 1, 2]);
    // Within 9 s kind 2 has left when kind 1 arrives.
    assert!(evaluate(kinds, 9 * S, true, |n| n >= 3.0, &mut o).is_empty());
    // A condition on how many kinds: two of three is enough.
    let f = evaluate(kinds, 9 * S, true, |n| n >= 2.0, &mut o);
    assert_eq!(spans(&f), vec![(0, 5, 2.0)]);
}

#[test]
fn temporal_ordered_needs_the_order() {
    let ordered = Aggregate::Kinds {
        kinds: 2,
        ordered: true,
    };
    // Failed (0) then success (1): 1@0 is before any 0 and does not count; 0@5, 1@8.
    let mut o = vec![
        obs(0, 0, 1, Value::None, 0),
        obs(5, 0, 0, Value::None, 1),
        obs(8, 0, 1, Value::None, 2),
    ];
    let f = evaluate(ordered, 10 * S, true, |n| n >= 2.0, &mut o);
    assert_eq!(spans(&f), vec![(5, 8, 2.0)]);
    assert_eq!(f[0].members, vec![1, 2]);
    // Success then failure only: no firing.
    let mut o = vec![obs(0, 0, 1, Value::None, 0), obs(5, 0, 0, Value::None, 1)];
    assert!(evaluate(ordered, 10 * S, true, |n| n >= 2.0, &mut o).is_empty());
    // The latest start wins: 0@0, 0@20, 1@25 within 10 s fires from the 0@20.
    let mut o = vec![
        obs(0, 0, 0, Value::None, 0),
        obs(20, 0, 0, Value::None, 1),
        obs(25, 0, 1, Value::None, 2),
    ];
    let f = evaluate(ordered, 10 * S, true, |n| n >= 2.0, &mut o);
    assert_eq!(spans(&f), vec![(20, 25, 2.0)]);
    // Edge: 1 exactly 10 s after 0 is inside; 10 s + 1 ns is not.
    let mut o = vec![obs(0, 0, 0, Value::None, 0), obs(10, 0, 1, Value::None, 1)];
    assert_eq!(
        evaluate(ordered, 10 * S, true, |n| n >= 2.0, &mut o).len(),
        1
    );
    o[1].time += 1;
    assert!(evaluate(ordered, 10 * S, true, |n| n >= 2.0, &mut o).is_empty());
}

#[test]
fn members_keep_the_first_and_the_last() {
    let mut o = at(&(0..40).collect::<Vec<_>>());
    let f = evaluate(Aggregate::Count, 100 * S, true, |n| n >= 40.0, &mut o);
    let members = &f[0].members;
    assert_eq!(members.len(), 16);
    assert_eq!(&members[..15], &(0..15).collect::<Vec<u32>>()[..]);
    assert_eq!(members[15], 39);
    assert_eq!(f[0].observations, 40);
}

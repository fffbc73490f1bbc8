//! A key's own baseline: observations per hour over the period seen, and whether one
//! hour stands well above the others.

/// The busiest hour against the median of the hours that had any observation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spike {
    /// Start of the busiest hour (ns since the epoch).
    pub hour: i64,
    pub count: usize,
    pub median: f64,
    /// Hours with at least one observation.
    pub active_hours: usize,
}

const HOUR: i64 = 3_600_000_000_000;

/// A spike when the busiest hour has at least `min_count` observations and at least
/// `factor` times the median of the active hours, over at least `min_hours` active
/// hours (a baseline needs history). `times` must be sorted.
pub fn hourly_spike(
    times: &[i64],
    min_count: usize,
    factor: f64,
    min_hours: usize,
) -> Option<Spike> {
    let mut buckets: Vec<(i64, usize)> = Vec::new();
    for &t in times {
        let hour = t.div_euclid(HOUR) * HOUR;
        match buckets.last_mut() {
            Some((h, n)) if *h == hour => *n += 1,
            _ => buckets.push((hour, 1)),
        }
    }
    if buckets.len() < min_hours {
        return None;
    }
    let (hour, count) = *buckets.iter().max_by_key(|(h, n)| (*n, -h))?;
    let mut counts: Vec<usize> = buckets.iter().map(|(_, n)| *n).collect();
    counts.sort_unstable();
    let mid = counts.len() / 2;
    let median = if counts.len().is_multiple_of(2) {
        (counts[mid - 1] + counts[mid]) as f64 / 2.0
    } else {
        counts[mid] as f64
    };
    (count >= min_count && count as f64 >= factor * median).then_some(Spike {
        hour,
        count,
        median,
        active_hours: buckets.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_hour_over_a_quiet_history_is_a_spike() {
        let mut times: Vec<i64> = (0..5).map(|h| h * 24 * HOUR).collect(); // one a day
        times.extend((0..12).map(|i| 6 * 24 * HOUR + i * 60_000_000_000)); // 12 in an hour
        let spike = hourly_spike(&times, 5, 3.0, 3).unwrap();
        assert_eq!(spike.count, 12);
        assert_eq!(spike.median, 1.0);
        assert_eq!(spike.active_hours, 6);
        // Too little history, or too few observations: no spike.
        assert!(hourly_spike(&times[5..], 5, 3.0, 3).is_none());
        assert!(hourly_spike(&times, 20, 3.0, 3).is_none());
    }
}

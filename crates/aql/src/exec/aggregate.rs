//! Aggregate states: updated per event, merged across workers in input order, finished
//! into a value.
//!
//! **Ours** (see docs/query.md): aggregates skip NULL; `COUNT(*)` counts rows; `SUM` of
//! integers stays an integer; `AVG` is a float; `FIRST`/`LAST` are the first and last
//! non-NULL values in input order; `STDEV` is the sample standard deviation (NULL below
//! two values); `UNIQUECOUNT` and `DISTINCTCOUNT` are exact. Over no values every
//! aggregate is NULL except the counts, which are 0.

use rustc_hash::FxHashSet;

use crate::datum::{Datum, Owned};
use crate::functions::Aggregate;

#[derive(Debug, Clone)]
pub enum AggState {
    Count(u64),
    Sum {
        int: i128,
        float: f64,
        floats: bool,
        any: bool,
    },
    Avg {
        sum: f64,
        n: u64,
    },
    Min(Option<Owned>),
    Max(Option<Owned>),
    First(Option<Owned>),
    Last(Option<Owned>),
    /// Welford's running mean and sum of squared deviations.
    Stdev {
        n: u64,
        mean: f64,
        m2: f64,
    },
    Distinct(FxHashSet<Owned>),
}

impl AggState {
    pub fn new(function: Aggregate) -> AggState {
        match function {
            Aggregate::Count => AggState::Count(0),
            Aggregate::Sum => AggState::Sum {
                int: 0,
                float: 0.0,
                floats: false,
                any: false,
            },
            Aggregate::Avg => AggState::Avg { sum: 0.0, n: 0 },
            Aggregate::Min => AggState::Min(None),
            Aggregate::Max => AggState::Max(None),
            Aggregate::First => AggState::First(None),
            Aggregate::Last => AggState::Last(None),
            Aggregate::Stdev => AggState::Stdev {
                n: 0,
                mean: 0.0,
                m2: 0.0,
            },
            Aggregate::UniqueCount | Aggregate::DistinctCount => {
                AggState::Distinct(FxHashSet::default())
            }
        }
    }

    /// Add one value (`COUNT(*)` passes a non-NULL placeholder).
    pub fn update(&mut self, value: Datum<'_>) {
        if value.is_null() {
            return;
        }
        match self {
            AggState::Count(n) => *n += 1,
            AggState::Sum {
                int,
                float,
                floats,
                any,
            } => match number(&value) {
                Some(Number::Int(n)) => {
                    *int += i128::from(n);
                    *any = true;
                }
                Some(Number::Float(x)) => {
                    *float += x;
                    *floats = true;
                    *any = true;
                }
                None => {}
            },
            AggState::Avg { sum, n } => {
                if let Some(x) = value.as_f64() {
                    *sum += x;
                    *n += 1;
                }
            }
            AggState::Min(best) => {
                if best.as_ref().is_none_or(|b| value.sort_cmp(b).is_lt()) {
                    *best = Some(value.into_owned());
                }
            }
            AggState::Max(best) => {
                if best.as_ref().is_none_or(|b| value.sort_cmp(b).is_gt()) {
                    *best = Some(value.into_owned());
                }
            }
            AggState::First(first) => {
                if first.is_none() {
                    *first = Some(value.into_owned());
                }
            }
            AggState::Last(last) => *last = Some(value.into_owned()),
            AggState::Stdev { n, mean, m2 } => {
                if let Some(x) = value.as_f64() {
                    *n += 1;
                    let delta = x - *mean;
                    *mean += delta / *n as f64;
                    *m2 += delta * (x - *mean);
                }
            }
            AggState::Distinct(set) => {
                set.insert(value.into_owned());
            }
        }
    }

    /// Fold in the state of a later input (`other` comes after `self` in input order).
    pub fn merge(&mut self, other: AggState) {
        match (self, other) {
            (AggState::Count(a), AggState::Count(b)) => *a += b,
            (
                AggState::Sum {
                    int,
                    float,
                    floats,
                    any,
                },
                AggState::Sum {
                    int: int2,
                    float: float2,
                    floats: floats2,
                    any: any2,
                },
            ) => {
                *int += int2;
                *float += float2;
                *floats |= floats2;
                *any |= any2;
            }
            (AggState::Avg { sum, n }, AggState::Avg { sum: sum2, n: n2 }) => {
                *sum += sum2;
                *n += n2;
            }
            (AggState::Min(a), AggState::Min(Some(b)))
                if a.as_ref().is_none_or(|a| b.sort_cmp(a).is_lt()) =>
            {
                *a = Some(b)
            }
            (AggState::Max(a), AggState::Max(Some(b)))
                if a.as_ref().is_none_or(|a| b.sort_cmp(a).is_gt()) =>
            {
                *a = Some(b)
            }
            (AggState::First(a), AggState::First(b)) if a.is_none() => *a = b,
            (AggState::Last(a), AggState::Last(Some(b))) => *a = Some(b),
            (
                AggState::Stdev { n, mean, m2 },
                AggState::Stdev {
                    n: n2,
                    mean: mean2,
                    m2: m22,
                },
            ) => {
                if n2 == 0 {
                    return;
                }
                let total = *n + n2;
                let delta = mean2 - *mean;
                *m2 += m22 + delta * delta * (*n as f64) * (n2 as f64) / total as f64;
                *mean += delta * n2 as f64 / total as f64;
                *n = total;
            }
            (AggState::Distinct(a), AggState::Distinct(b)) => a.extend(b),
            _ => {}
        }
    }

    pub fn finish(&self) -> Owned {
        match self {
            AggState::Count(n) => Datum::Integer(i64::try_from(*n).unwrap_or(i64::MAX)),
            AggState::Sum {
                int,
                float,
                floats,
                any,
            } => {
                if !any {
                    Datum::Null
                } else if *floats {
                    Datum::Float(*int as f64 + float)
                } else {
                    i64::try_from(*int)
                        .map(Datum::Integer)
                        .unwrap_or(Datum::Float(*int as f64))
                }
            }
            AggState::Avg { sum, n } => {
                if *n == 0 {
                    Datum::Null
                } else {
                    Datum::Float(sum / *n as f64)
                }
            }
            AggState::Min(v) | AggState::Max(v) | AggState::First(v) | AggState::Last(v) => {
                v.clone().unwrap_or(Datum::Null)
            }
            AggState::Stdev { n, m2, .. } => {
                if *n < 2 {
                    Datum::Null
                } else {
                    Datum::Float((m2 / (*n - 1) as f64).sqrt())
                }
            }
            AggState::Distinct(set) => Datum::Integer(set.len() as i64),
        }
    }
}

enum Number {
    Int(i64),
    Float(f64),
}

fn number(value: &Datum<'_>) -> Option<Number> {
    match value {
        Datum::Integer(n) => Some(Number::Int(*n)),
        Datum::Float(x) => Some(Number::Float(*x)),
        Datum::Boolean(_) | Datum::Ip(_) | Datum::Null => None,
        Datum::Text(t) => {
            let t = t.trim();
            t.parse::<i64>()
                .map(Number::Int)
                .ok()
                .or_else(|| t.parse::<f64>().ok().map(Number::Float))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(function: Aggregate, values: &[Owned]) -> Owned {
        let mut state = AggState::new(function);
        for v in values {
            state.update(v.clone());
        }
        state.finish()
    }

    #[test]
    fn nulls_are_skipped_and_empty_is_null_or_zero() {
        let values = [Datum::Integer(2), Datum::Null, Datum::Integer(4)];
        assert_eq!(run(Aggregate::Count, &values), Datum::Integer(2));
        assert_eq!(run(Aggregate::Sum, &values), Datum::Integer(6));
        assert_eq!(run(Aggregate::Avg, &values), Datum::Float(3.0));
        assert_eq!(run(Aggregate::Sum, &[]), Datum::Null);
        assert_eq!(run(Aggregate::Count, &[]), Datum::Integer(0));
        assert_eq!(run(Aggregate::UniqueCount, &[]), Datum::Integer(0));
    }

    #[test]
    fn stdev_merges_like_one_pass() {
        let xs: Vec<Owned> = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]
            .iter()
            .map(|x| Datum::Float(*x))
            .collect();
        let whole = run(Aggregate::Stdev, &xs);
        let mut a = AggState::new(Aggregate::Stdev);
        let mut b = AggState::new(Aggregate::Stdev);
        xs[..3].iter().for_each(|x| a.update(x.clone()));
        xs[3..].iter().for_each(|x| b.update(x.clone()));
        a.merge(b);
        let (Datum::Float(w), Datum::Float(m)) = (whole, a.finish()) else {
            panic!("stdev is a float")
        };
        assert!((w - 2.138089935299395).abs() < 1e-12, "{w}");
        assert!((w - m).abs() < 1e-12);
    }

    #[test]
    fn first_and_last_follow_merge_order() {
        let mut a = AggState::new(Aggregate::First);
        a.update(Datum::text("a"));
        let mut b = AggState::new(Aggregate::First);
        b.update(Datum::text("b"));
        a.merge(b);
        assert_eq!(a.finish(), Datum::text("a"));
        let mut a = AggState::new(Aggregate::Last);
        a.update(Datum::text("a"));
        let mut b = AggState::new(Aggregate::Last);
        b.update(Datum::text("b"));
        a.merge(b);
        assert_eq!(a.finish(), Datum::text("b"));
    }
}

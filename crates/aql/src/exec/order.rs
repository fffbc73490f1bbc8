//! ORDER BY and LIMIT over result rows.
//!
//! **Ours**: NULL sorts last in both directions; rows that tie on every key keep their
//! input order (the sort is stable and rows arrive in input order whatever the number
//! of threads). With a LIMIT only the best `limit` rows are kept: rows are collected
//! and cut back whenever twice the limit is reached, so memory is bounded by the limit.

use std::cmp::Ordering;

use crate::datum::Owned;
use crate::plan::SortKey;

pub fn compare(order: &[SortKey], a: &[Owned], b: &[Owned]) -> Ordering {
    for key in order {
        let (x, y) = (&a[key.column], &b[key.column]);
        let ordering = match (x.is_null(), y.is_null()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => {
                let o = x.sort_cmp(y);
                if key.descending {
                    o.reverse()
                } else {
                    o
                }
            }
        };
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
    Ordering::Equal
}

/// Rows under an ORDER BY, bounded by the LIMIT when there is one.
#[derive(Debug, Default)]
pub struct TopK {
    pub rows: Vec<Vec<Owned>>,
}

impl TopK {
    pub fn push(&mut self, row: Vec<Owned>, order: &[SortKey], limit: Option<u64>) {
        self.rows.push(row);
        if let Some(limit) = limit {
            let keep = usize::try_from(limit).unwrap_or(usize::MAX);
            if self.rows.len() >= keep.saturating_mul(2).max(1024) {
                self.cut(order, keep);
            }
        }
    }

    pub fn extend(&mut self, rows: Vec<Vec<Owned>>, order: &[SortKey], limit: Option<u64>) {
        for row in rows {
            self.push(row, order, limit);
        }
    }

    fn cut(&mut self, order: &[SortKey], keep: usize) {
        self.rows.sort_by(|a, b| compare(order, a, b));
        self.rows.truncate(keep);
    }

    pub fn finish(mut self, order: &[SortKey], limit: Option<u64>) -> Vec<Vec<Owned>> {
        let keep = limit.map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
        self.cut(order, keep);
        self.rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datum::Datum;

    #[test]
    fn nulls_last_both_ways_and_ties_stable() {
        let rows: Vec<Vec<Owned>> = vec![
            vec![Datum::Null, Datum::text("a")],
            vec![Datum::Integer(2), Datum::text("b")],
            vec![Datum::Integer(1), Datum::text("c")],
            vec![Datum::Integer(2), Datum::text("d")],
        ];
        for descending in [false, true] {
            let order = [SortKey {
                column: 0,
                descending,
            }];
            let mut top = TopK::default();
            top.extend(rows.clone(), &order, None);
            let names: Vec<_> = top
                .finish(&order, None)
                .into_iter()
                .map(|r| r[1].to_text().unwrap().into_owned())
                .collect();
            let expected = if descending {
                ["b", "d", "c", "a"]
            } else {
                ["c", "b", "d", "a"]
            };
            assert_eq!(names, expected);
        }
    }

    #[test]
    fn bounded_top_k_equals_full_sort() {
        let order = [SortKey {
            column: 0,
            descending: true,
        }];
        let mut bounded = TopK::default();
        let mut full = TopK::default();
        for i in 0..5000i64 {
            let row = vec![Datum::Integer((i * 7919) % 1000), Datum::Integer(i)];
            bounded.push(row.clone(), &order, Some(10));
            full.push(row, &order, None);
            assert!(bounded.rows.len() <= 1024);
        }
        let mut all = full.finish(&order, None);
        all.truncate(10);
        assert_eq!(bounded.finish(&order, Some(10)), all);
    }
}

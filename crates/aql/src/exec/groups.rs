//! Hash aggregation: groups keyed by their GROUP BY values, kept in first-seen order so
//! that output without ORDER BY is the order in which groups first appeared.

use std::hash::{BuildHasher, Hash};

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

use crate::datum::{Datum, Owned};
use crate::exec::aggregate::AggState;

#[derive(Debug)]
pub struct Group {
    pub key: Vec<Owned>,
    /// The first row's values of non-aggregated expressions (QRadar's first-value rule).
    pub firsts: Vec<Owned>,
    pub aggs: Vec<AggState>,
}

#[derive(Default)]
pub struct GroupTable {
    index: HashTable<usize>,
    groups: Vec<Group>,
}

fn hash_key(key: &[Datum<'_>]) -> u64 {
    FxBuildHasher.hash_one(KeyHash(key))
}

struct KeyHash<'k, 'a>(&'k [Datum<'a>]);

impl Hash for KeyHash<'_, '_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        for datum in self.0 {
            datum.hash(state);
        }
    }
}

impl GroupTable {
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// The group for `key`, made with `make` when it is new.
    pub fn entry<'a>(
        &mut self,
        key: Vec<Datum<'a>>,
        make: impl FnOnce(Vec<Owned>) -> Group,
    ) -> &mut Group {
        let hash = hash_key(&key);
        let groups = &self.groups;
        let found = self
            .index
            .find(hash, |&i| groups[i].key.iter().eq(key.iter()))
            .copied();
        let i = match found {
            Some(i) => i,
            None => {
                let i = self.groups.len();
                let owned = key.into_iter().map(Datum::into_owned).collect();
                self.groups.push(make(owned));
                let groups = &self.groups;
                self.index
                    .insert_unique(hash, i, |&j| hash_key(&groups[j].key));
                i
            }
        };
        &mut self.groups[i]
    }

    /// Fold in the groups of a later input: aggregates merge, first values stay.
    pub fn merge(&mut self, other: GroupTable) {
        for group in other.groups {
            let Group { key, firsts, aggs } = group;
            let mut incoming = Some((firsts, aggs));
            let target = self.entry(key, |key| {
                let (firsts, aggs) = incoming.take().expect("made once");
                Group { key, firsts, aggs }
            });
            if let Some((_, aggs)) = incoming {
                for (state, other) in target.aggs.iter_mut().zip(aggs) {
                    state.merge(other);
                }
            }
        }
    }

    pub fn into_groups(self) -> Vec<Group> {
        self.groups
    }
}

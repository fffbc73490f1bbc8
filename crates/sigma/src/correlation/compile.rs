//! Correlation rules resolved against the loaded set: referenced rules by id or name,
//! group-by names (through aliases) and the measured field to field slots, chains put
//! in an order where every correlation comes after the ones it builds on.

use whoiswatch_correlate::correlation::{is_growing, Aggregate};

use crate::ast::{Comparison, Correlation, CorrelationType, Meta};
use crate::compile::Compiler;
use crate::error::RuleError;
use crate::ruleset::RuleSet;
use crate::view::SlotField;

/// A correlation with its referenced rules resolved.
#[derive(Debug, Clone)]
pub struct CompiledCorrelation {
    pub meta: Meta,
    pub spec: Correlation,
    /// Indices into [`RuleSet::rules`] (`Ok`, detection rules) or into
    /// [`RuleSet::correlations`] (`Err`, chained correlations).
    pub rules: Vec<Result<usize, usize>>,
    /// Per group-by name, per referenced rule: the field read.
    pub(crate) group_fields: Vec<Vec<SlotField>>,
    /// The `condition.field`, resolved.
    pub(crate) value_field: Option<SlotField>,
    /// Whether a referencing correlation wants this one's firings reported alone.
    pub(crate) generated: bool,
}

impl CompiledCorrelation {
    pub fn aggregate(&self) -> Aggregate {
        match self.spec.kind {
            CorrelationType::EventCount => Aggregate::Count,
            CorrelationType::ValueCount => Aggregate::Distinct,
            CorrelationType::ValueSum => Aggregate::Sum,
            CorrelationType::ValueAvg => Aggregate::Average,
            CorrelationType::ValuePercentile => Aggregate::Share,
            CorrelationType::Temporal | CorrelationType::TemporalOrdered => Aggregate::Kinds {
                kinds: self.rules.len() as u16,
                ordered: self.spec.kind == CorrelationType::TemporalOrdered,
            },
        }
    }

    /// Whether the condition is judged as matches arrive (lower bounds only) rather
    /// than on complete windows.
    pub fn growing(&self) -> bool {
        let lower = self
            .spec
            .condition
            .iter()
            .all(|(c, _)| matches!(c, Comparison::Gt | Comparison::Gte));
        is_growing(self.aggregate(), lower)
    }

    /// The condition on the measured value; temporal correlations without one need
    /// every referenced rule.
    pub fn holds(&self, value: f64) -> bool {
        if self.spec.condition.is_empty() {
            return value >= self.rules.len() as f64;
        }
        self.spec.condition.iter().all(|(c, n)| c.holds(value, *n))
    }

    /// The condition as written: `gte 10`, `gt 100 and lte 200`.
    pub fn condition_text(&self) -> String {
        if self.spec.condition.is_empty() {
            return format!("all {} rules", self.rules.len());
        }
        let parts: Vec<String> = self
            .spec
            .condition
            .iter()
            .map(|(c, n)| format!("{} {n}", c.name()))
            .collect();
        parts.join(" and ")
    }
}

fn error(meta: &Meta, reason: String) -> RuleError {
    RuleError {
        file: meta.file.clone(),
        document: 1,
        rule: Some(meta.title.clone()),
        reason,
    }
}

/// Resolve the correlations into `set.correlations` (in evaluation order) and note on
/// each detection rule which correlations it feeds.
pub(crate) fn compile(
    set: &mut RuleSet,
    correlations: Vec<(Meta, Correlation)>,
    compiler: &mut Compiler,
    errors: &mut Vec<RuleError>,
) {
    let same = |meta: &Meta, reference: &str| {
        meta.id.as_deref() == Some(reference) || meta.name.as_deref() == Some(reference)
    };
    // References by position in `correlations`; a failure fails its dependents too.
    let resolved: Vec<Option<Vec<Result<usize, usize>>>> = correlations
        .iter()
        .map(|(meta, spec)| {
            spec.rules
                .iter()
                .map(|reference| {
                    if let Some(i) = set.rules.iter().position(|r| same(&r.meta, reference)) {
                        Some(Ok(i))
                    } else if let Some(i) =
                        correlations.iter().position(|(m, _)| same(m, reference))
                    {
                        Some(Err(i))
                    } else {
                        errors.push(error(
                            meta,
                            format!("correlation refers to unknown rule `{reference}`"),
                        ));
                        None
                    }
                })
                .collect()
        })
        .collect();
    // Evaluation order: a correlation after every correlation it refers to.
    let mut order: Vec<usize> = Vec::new();
    let mut placed = vec![false; correlations.len()];
    loop {
        let before = order.len();
        for (i, refs) in resolved.iter().enumerate() {
            let Some(refs) = refs else { continue };
            if !placed[i] && refs.iter().all(|r| r.map_or_else(|c| placed[c], |_| true)) {
                placed[i] = true;
                order.push(i);
            }
        }
        if order.len() == before {
            break;
        }
    }
    for (i, (meta, _)) in correlations.iter().enumerate() {
        if !placed[i] && resolved[i].is_some() {
            errors.push(error(
                meta,
                "correlation chain refers to a correlation that could not be loaded or to itself"
                    .into(),
            ));
        }
    }
    let mut new_index = vec![usize::MAX; correlations.len()];
    for (n, &i) in order.iter().enumerate() {
        new_index[i] = n;
    }
    let mut correlations: Vec<Option<(Meta, Correlation)>> =
        correlations.into_iter().map(Some).collect();
    for &i in &order {
        let (meta, spec) = correlations[i].take().expect("each once");
        let refs: Vec<Result<usize, usize>> = resolved[i]
            .as_ref()
            .expect("placed")
            .iter()
            .map(|r| r.map_err(|c| new_index[c]))
            .collect();
        let rule_name = |r: &Result<usize, usize>| -> Option<String> {
            match r {
                Ok(i) => set.rules[*i].meta.name.clone(),
                Err(i) => set.correlations[*i].meta.name.clone(),
            }
        };
        let group_fields = spec
            .group_by
            .iter()
            .map(|group| {
                let alias = spec.aliases.iter().find(|(a, _)| a == group);
                refs.iter()
                    .map(|r| {
                        let field = alias
                            .and_then(|(_, map)| {
                                let name = rule_name(r)?;
                                map.iter().find(|(n, _)| *n == name).map(|(_, f)| f.clone())
                            })
                            .unwrap_or_else(|| group.clone());
                        let slot = compiler.slot(&field);
                        compiler.fields[slot as usize].clone()
                    })
                    .collect()
            })
            .collect();
        let value_field = spec.field.as_ref().map(|f| {
            let slot = compiler.slot(f);
            compiler.fields[slot as usize].clone()
        });
        let index = set.correlations.len();
        for (kind, r) in refs.iter().enumerate() {
            match r {
                Ok(rule) => set.references[*rule].push((index as u32, kind as u16)),
                Err(inner) if spec.generate => set.correlations[*inner].generated = true,
                Err(_) => {}
            }
            if let (Ok(rule), true) = (r, spec.generate) {
                set.generated[*rule] = true;
            }
        }
        set.correlations.push(CompiledCorrelation {
            meta,
            spec,
            rules: refs,
            group_fields,
            value_field,
            generated: false,
        });
    }
}

//! A loaded, compiled set of rules, and the per-thread [`Scanner`] that runs it over
//! events. Rules are indexed by the Sigma log sources they apply to, so an event meets
//! only the rules of its own log source.

use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;
use whoiswatch_event::{Category, Event, FieldName};

use crate::ast::{Correlation, LogSource, Meta, Rule, RuleKind};
use crate::compile::Compiler;
use crate::error::RuleError;
use crate::logsource::applies;
use crate::matcher::{Context, Node};
use crate::parse::parse_rules;
use crate::view::{FieldCache, SlotField};

/// A detection rule ready to match.
#[derive(Debug)]
pub struct CompiledRule {
    pub meta: Meta,
    pub logsource: LogSource,
    node: Node,
    /// Global filters that drop this rule's matches.
    filters: Vec<usize>,
}

#[derive(Debug)]
struct CompiledFilter {
    logsource: LogSource,
    node: Node,
}

/// A correlation with its referenced rules resolved to indices.
#[derive(Debug, Clone)]
pub struct CompiledCorrelation {
    pub meta: Meta,
    pub spec: Correlation,
    /// Indices into [`RuleSet::rules`] (detection rules) or, for chains, other
    /// correlations (`Err(index)`).
    pub rules: Vec<Result<usize, usize>>,
    /// Per group-by name, per referenced rule: the field to read.
    pub group_fields: Vec<Vec<FieldName>>,
    /// The `condition.field`, resolved.
    pub value_field: Option<FieldName>,
}

/// Options of loading: field mapping and placeholder values.
#[derive(Debug, Default, Clone)]
pub struct LoadOptions {
    /// Sigma field name → our field name (see `content/mappings/`).
    pub mapping: Vec<(String, String)>,
    /// `%name%` → values, for the `expand` modifier.
    pub placeholders: Vec<(String, Vec<String>)>,
    /// Compare every literal on its own instead of through literal sets: the slow
    /// path, kept so a test can show both paths give the same answers.
    pub slow_path: bool,
}

#[derive(Default)]
pub struct RuleSet {
    pub rules: Vec<CompiledRule>,
    filters: Vec<CompiledFilter>,
    pub correlations: Vec<CompiledCorrelation>,
    fields: Vec<SlotField>,
    /// Rule files (and in-memory sources) read.
    pub files: usize,
}

/// What loading found: the set, and every rule it could not load.
pub struct Loaded {
    pub set: RuleSet,
    pub errors: Vec<RuleError>,
}

fn yaml_files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        entries.sort();
        for entry in entries {
            yaml_files(&entry, out);
        }
    } else if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
        out.push(path.to_path_buf());
    }
}

impl RuleSet {
    /// Load every `.yml`/`.yaml` under the paths, and the given in-memory sources
    /// (`(name, text)`, e.g. the built-in pack).
    pub fn load(paths: &[PathBuf], sources: &[(String, String)], options: &LoadOptions) -> Loaded {
        let mut errors = Vec::new();
        let mut texts: Vec<(String, String)> = sources.to_vec();
        for path in paths {
            if !path.exists() {
                errors.push(RuleError {
                    file: path.display().to_string(),
                    document: 1,
                    rule: None,
                    reason: "no such file or directory".into(),
                });
                continue;
            }
            let mut files = Vec::new();
            yaml_files(path, &mut files);
            for file in files {
                match std::fs::read_to_string(&file) {
                    Ok(text) => texts.push((file.display().to_string(), text)),
                    Err(e) => errors.push(RuleError {
                        file: file.display().to_string(),
                        document: 1,
                        rule: None,
                        reason: format!("cannot read: {e}"),
                    }),
                }
            }
        }
        let mut rules = Vec::new();
        for (name, text) in &texts {
            for result in parse_rules(name, text) {
                match result {
                    Ok(rule) => rules.push(rule),
                    Err(e) => errors.push(e),
                }
            }
        }
        let mut set = RuleSet::compile(rules, options, &mut errors);
        set.files = texts.len();
        Loaded { set, errors }
    }

    fn compile(rules: Vec<Rule>, options: &LoadOptions, errors: &mut Vec<RuleError>) -> RuleSet {
        let mut compiler = Compiler {
            mapping: options.mapping.iter().cloned().collect(),
            placeholders: options.placeholders.iter().cloned().collect(),
            slow_path: options.slow_path,
            ..Compiler::default()
        };
        let mut set = RuleSet::default();
        let mut filter_targets: Vec<(usize, Vec<String>)> = Vec::new();
        let mut correlations = Vec::new();
        for rule in rules {
            let error = |meta: &Meta, reason: String| RuleError {
                file: meta.file.clone(),
                document: 1,
                rule: Some(meta.title.clone()),
                reason,
            };
            match &rule.kind {
                RuleKind::Detection(detection) => match compiler.detection(detection) {
                    Ok(node) => set.rules.push(CompiledRule {
                        meta: rule.meta,
                        logsource: rule.logsource,
                        node,
                        filters: Vec::new(),
                    }),
                    Err(reason) => errors.push(error(&rule.meta, reason)),
                },
                RuleKind::Filter { rules, detection } => match compiler.detection(detection) {
                    Ok(node) => {
                        filter_targets.push((set.filters.len(), rules.clone()));
                        set.filters.push(CompiledFilter {
                            logsource: rule.logsource,
                            node,
                        });
                    }
                    Err(reason) => errors.push(error(&rule.meta, reason)),
                },
                RuleKind::Correlation(spec) => correlations.push((rule.meta, spec.clone())),
            }
        }
        for (filter, targets) in filter_targets {
            for target in targets {
                for rule in set.rules.iter_mut() {
                    if rule.meta.id.as_deref() == Some(&target)
                        || rule.meta.name.as_deref() == Some(&target)
                    {
                        rule.filters.push(filter);
                    }
                }
            }
        }
        set.compile_correlations(correlations, &mut compiler, errors);
        set.fields = compiler.fields;
        set
    }

    fn compile_correlations(
        &mut self,
        correlations: Vec<(Meta, Correlation)>,
        compiler: &mut Compiler,
        errors: &mut Vec<RuleError>,
    ) {
        let names: Vec<(Option<String>, Option<String>)> = correlations
            .iter()
            .map(|(m, _)| (m.id.clone(), m.name.clone()))
            .collect();
        for (meta, spec) in correlations {
            let mut resolved = Vec::new();
            let mut failed = None;
            for reference in &spec.rules {
                let same = |id: &Option<String>, name: &Option<String>| {
                    id.as_deref() == Some(reference) || name.as_deref() == Some(reference)
                };
                if let Some(i) = self
                    .rules
                    .iter()
                    .position(|r| same(&r.meta.id, &r.meta.name))
                {
                    resolved.push(Ok(i));
                } else if let Some(i) = names.iter().position(|(id, name)| same(id, name)) {
                    resolved.push(Err(i));
                } else {
                    failed = Some(format!("correlation refers to unknown rule `{reference}`"));
                }
            }
            if let Some(reason) = failed {
                errors.push(RuleError {
                    file: meta.file.clone(),
                    document: 1,
                    rule: Some(meta.title.clone()),
                    reason,
                });
                continue;
            }
            let rule_name = |r: &Result<usize, usize>| -> Option<String> {
                match r {
                    Ok(i) => self.rules[*i].meta.name.clone(),
                    Err(i) => names[*i].1.clone(),
                }
            };
            let group_fields = spec
                .group_by
                .iter()
                .map(|group| {
                    let alias = spec.aliases.iter().find(|(a, _)| a == group);
                    resolved
                        .iter()
                        .map(|r| {
                            let field = alias
                                .and_then(|(_, map)| {
                                    let name = rule_name(r)?;
                                    map.iter().find(|(n, _)| *n == name).map(|(_, f)| f.clone())
                                })
                                .unwrap_or_else(|| group.clone());
                            let slot = compiler.slot(&field);
                            compiler.fields[slot as usize].resolved.clone()
                        })
                        .collect()
                })
                .collect();
            let value_field = spec.field.as_ref().map(|f| {
                let slot = compiler.slot(f);
                compiler.fields[slot as usize].resolved.clone()
            });
            self.correlations.push(CompiledCorrelation {
                meta,
                spec,
                rules: resolved,
                group_fields,
                value_field,
            });
        }
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    pub fn scanner(&self) -> Scanner<'_> {
        Scanner {
            set: self,
            cache: FieldCache::new(self.fields.len()),
            by_category: FxHashMap::default(),
            hits: Vec::new(),
        }
    }
}

type CategoryKey = (
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
);

/// Runs a [`RuleSet`] over events on one thread.
pub struct Scanner<'r> {
    set: &'r RuleSet,
    cache: FieldCache,
    by_category: FxHashMap<CategoryKey, (Vec<u32>, Vec<u32>)>,
    hits: Vec<usize>,
}

impl Scanner<'_> {
    /// Indices of the rules (in [`RuleSet::rules`]) that match the event, after global
    /// filters.
    pub fn scan(&mut self, event: &Event) -> &[usize] {
        self.hits.clear();
        self.cache.reset();
        let set = self.set;
        let category: &Category = &event.category;
        let key = (category.product, category.category, category.service);
        let (rules, filters) = self.by_category.entry(key).or_insert_with(|| {
            let rules = set
                .rules
                .iter()
                .enumerate()
                .filter(|(_, r)| applies(&r.logsource, category))
                .map(|(i, _)| i as u32)
                .collect();
            let filters = set
                .filters
                .iter()
                .enumerate()
                .filter(|(_, f)| applies(&f.logsource, category))
                .map(|(i, _)| i as u32)
                .collect();
            (rules, filters)
        });
        let mut context = Context {
            event,
            cache: &mut self.cache,
            fields: &set.fields,
        };
        let mut filter_results: Vec<(u32, bool)> = Vec::new();
        for &index in rules.iter() {
            let rule = &set.rules[index as usize];
            if !rule.node.eval(&mut context) {
                continue;
            }
            let mut dropped = false;
            for &filter in &rule.filters {
                if !filters.contains(&(filter as u32)) {
                    continue;
                }
                let result = match filter_results.iter().find(|(f, _)| *f == filter as u32) {
                    Some((_, r)) => *r,
                    None => {
                        let r = set.filters[filter].node.eval(&mut context);
                        filter_results.push((filter as u32, r));
                        r
                    }
                };
                if result {
                    dropped = true;
                    break;
                }
            }
            if !dropped {
                self.hits.push(index as usize);
            }
        }
        &self.hits
    }
}

//! A loaded, compiled set of rules, and the per-thread [`Scanner`] that runs it over
//! events. Rules are indexed by the Sigma log sources they apply to, so an event meets
//! only the rules of its own log source.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rustc_hash::FxHashMap;
use whoiswatch_event::{Category, Event};

use crate::ast::{LogSource, Meta, Rule, RuleKind};
use crate::compile::Compiler;
use crate::correlation::CompiledCorrelation;
use crate::error::RuleError;
use crate::logsource::applies;
use crate::matcher::{Context, Node};
use crate::parse::parse_rules;
use crate::prefilter::{Candidates, Prefilter};
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
    /// In evaluation order: a chained correlation after those it refers to.
    pub correlations: Vec<CompiledCorrelation>,
    pub(crate) fields: Vec<SlotField>,
    /// Per detection rule: the correlations it feeds, and as which of their rules.
    pub(crate) references: Vec<Vec<(u32, u16)>>,
    /// Per detection rule: a correlation that refers to it says `generate: true`.
    pub(crate) generated: Vec<bool>,
    /// Rule files (and in-memory sources) read.
    pub files: usize,
    /// Evaluate every rule of a log source (no prefilter): the slow path.
    slow_path: bool,
    /// Each log source's rules and prefilter, built when the first event of that log
    /// source arrives, once for every scanner (thread).
    by_category: Mutex<FxHashMap<CategoryKey, Arc<ForCategory>>>,
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
        let mut set = RuleSet {
            slow_path: options.slow_path,
            ..RuleSet::default()
        };
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
        set.references = vec![Vec::new(); set.rules.len()];
        set.generated = vec![false; set.rules.len()];
        crate::correlation::compile(&mut set, correlations, &mut compiler, errors);
        set.fields = compiler.fields;
        set
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Whether a detection rule's matches are alerts of their own: it feeds no
    /// correlation, or one that refers to it says `generate: true` (Sigma's default is
    /// to report only the correlation).
    pub fn reported_alone(&self, rule: usize) -> bool {
        self.references[rule].is_empty() || self.generated[rule]
    }

    /// Whether a correlation's firings are alerts of their own: no other correlation
    /// builds on it, or one that does says `generate: true`.
    pub fn correlation_reported(&self, correlation: usize) -> bool {
        let used = self
            .correlations
            .iter()
            .any(|c| c.rules.contains(&Err(correlation)));
        !used || self.correlations[correlation].generated
    }

    /// The rules, filters and prefilter of the event's log source.
    fn for_category(&self, category: &Category) -> Arc<ForCategory> {
        let key = (category.product, category.category, category.service);
        let mut built = self.by_category.lock().unwrap_or_else(|e| e.into_inner());
        built
            .entry(key)
            .or_insert_with(|| {
                let rules = applying(self.rules.iter().map(|r| &r.logsource), category);
                let filters = applying(self.filters.iter().map(|f| &f.logsource), category);
                let prefilter = (!self.slow_path)
                    .then(|| Prefilter::new(rules.iter().map(|&i| &self.rules[i as usize].node)));
                Arc::new(ForCategory {
                    rules,
                    filters,
                    prefilter,
                })
            })
            .clone()
    }

    pub fn scanner(&self) -> Scanner<'_> {
        Scanner {
            set: self,
            cache: FieldCache::new(self.fields.len()),
            by_category: FxHashMap::default(),
            hits: Vec::new(),
            candidates: Candidates::default(),
            positions: Vec::new(),
        }
    }
}

/// The positions of the log sources that apply to the category.
fn applying<'a>(sources: impl Iterator<Item = &'a LogSource>, category: &Category) -> Vec<u32> {
    sources
        .enumerate()
        .filter(|(_, source)| applies(source, category))
        .map(|(i, _)| i as u32)
        .collect()
}

/// One log source's rules and filters, and the prefilter over those rules.
struct ForCategory {
    rules: Vec<u32>,
    filters: Vec<u32>,
    prefilter: Option<Prefilter>,
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
    /// This thread's copy of [`RuleSet::for_category`]'s answers.
    by_category: FxHashMap<CategoryKey, Arc<ForCategory>>,
    hits: Vec<usize>,
    candidates: Candidates,
    /// The positions (in the log source's list) of the rules to evaluate.
    positions: Vec<u32>,
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
        let entry = self
            .by_category
            .entry(key)
            .or_insert_with(|| set.for_category(category));
        let (rules, filters) = (&entry.rules, &entry.filters);
        let mut context = Context {
            event,
            cache: &mut self.cache,
            fields: &set.fields,
        };
        self.positions.clear();
        match &entry.prefilter {
            Some(prefilter) => {
                prefilter.candidates(&mut context, &mut self.candidates);
                self.positions.extend(self.candidates.positions());
            }
            None => self.positions.extend(0..rules.len() as u32),
        }
        let mut filter_results: Vec<(u32, bool)> = Vec::new();
        for &position in &self.positions {
            let index = rules[position as usize];
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

//! The detection pass shared by `scan` and `validate`: every event through the rule set
//! on the reader threads, DNS lookups joined to the connections that follow them,
//! follow-on activity noted, and the per-thread results merged in a fixed order.

use whoiswatch_event::{Category, Event, LogSourceType};
use whoiswatch_ingest::{Consumer, ParseError};
use whoiswatch_sigma::correlation::{correlate, Collector, Counts};
use whoiswatch_sigma::{CorrelationMatch, RuleSet, Scanner};
use whoiswatch_triage::{
    join_pending, Alert, DnsJoin, FollowOnCollector, PendingConnections, RuleInfo,
};

use std::sync::atomic::Ordering;

use super::input::ErrorPrinter;
use super::seed_compare::SeedMatches;
use crate::progress::{Progress, BATCH};

/// Alerts kept for triage per reader thread; beyond this they are counted, not kept.
pub const MAX_ALERTS_PER_THREAD: usize = 500_000;

/// `--compare-seed`: the seed query's plan, its environment, and what it accepted.
pub type SeedState<'r> = (
    &'r whoiswatch_aql::Plan,
    whoiswatch_aql::Env<'r>,
    SeedMatches,
);

pub struct Detector<'r> {
    rules: &'r [RuleInfo],
    /// Rules switched off with --disable-rule, by index.
    disabled: &'r [bool],
    scanner: Scanner<'r>,
    /// Whether a rule's matches are alerts of their own (not only input to a
    /// correlation), by index.
    alone: Vec<bool>,
    correlations: Collector<'r>,
    /// This event's enabled hits (reused).
    enabled: Vec<usize>,
    alerts: Vec<Alert>,
    dropped: u64,
    per_rule: Vec<u64>,
    join: DnsJoin,
    /// Connections this reader could not join, for the join after all readers.
    pending: PendingConnections,
    follow_on: FollowOnCollector,
    errors: ErrorPrinter,
    seed: Option<SeedState<'r>>,
    progress: Option<&'r Progress>,
    /// Events and alerts not yet added to `progress`.
    unreported: (u64, u64),
}

impl<'r> Detector<'r> {
    pub fn new(
        set: &'r RuleSet,
        rules: &'r [RuleInfo],
        disabled: &'r [bool],
        errors: ErrorPrinter,
        seed: Option<SeedState<'r>>,
    ) -> Detector<'r> {
        Detector {
            rules,
            disabled,
            scanner: set.scanner(),
            alone: (0..set.len()).map(|i| set.reported_alone(i)).collect(),
            correlations: Collector::new(set),
            enabled: Vec::new(),
            alerts: Vec::new(),
            dropped: 0,
            per_rule: vec![0; set.len()],
            join: DnsJoin::default(),
            pending: PendingConnections::default(),
            follow_on: FollowOnCollector::default(),
            errors,
            seed,
            progress: None,
            unreported: (0, 0),
        }
    }

    /// Report counts to a terminal progress line.
    pub fn with_progress(mut self, progress: Option<&'r Progress>) -> Self {
        self.progress = progress;
        self
    }

    fn report_progress(&mut self) {
        if let Some(progress) = self.progress {
            let (events, alerts) = std::mem::take(&mut self.unreported);
            progress.events.fetch_add(events, Ordering::Relaxed);
            progress.alerts.fetch_add(alerts, Ordering::Relaxed);
        }
    }
}

impl Detector<'_> {
    /// Join a connection to a lookup this reader saw, or keep it for the join after all
    /// readers.
    fn join_or_keep(&mut self, event: &Event) {
        if self.join.event(event, &mut self.alerts).is_none() {
            self.pending.offer(event);
        }
    }
}

impl Consumer for Detector<'_> {
    fn event(&mut self, event: Event) {
        if self.progress.is_some() {
            self.unreported.0 += 1;
            if self.unreported.0 >= BATCH {
                self.report_progress();
            }
        }
        self.follow_on.observe(&event);
        if let Some((plan, env, matches)) = &mut self.seed {
            matches.observe(plan, env, &event);
        }
        let hits = self.scanner.scan(&event);
        self.enabled.clear();
        self.enabled
            .extend(hits.iter().copied().filter(|&i| !self.disabled[i]));
        if self.enabled.is_empty() {
            self.join_or_keep(&event);
            return;
        }
        self.correlations.observe(&event, &self.enabled);
        let mut raised = false;
        for &index in &self.enabled {
            self.per_rule[index] += 1;
            if !self.alone[index] {
                continue;
            }
            if self.alerts.len() >= MAX_ALERTS_PER_THREAD {
                self.dropped += 1;
                continue;
            }
            let alert = Alert::from_event(self.rules[index].clone(), event.clone());
            self.join.alert_raised(self.alerts.len(), &alert);
            self.alerts.push(alert);
            self.unreported.1 += 1;
            raised = true;
        }
        if !raised {
            self.join_or_keep(&event);
        }
    }

    fn error(&mut self, error: &ParseError) {
        self.errors.print(error);
    }

    fn end_input(&mut self, index: usize) {
        if let Some(progress) = self.progress {
            self.report_progress();
            progress.input_done(index);
        }
    }
}

/// What the detectors of all reader threads found together.
#[derive(Default)]
pub struct Detection {
    /// In a fixed order (time, file, position, rule), whatever thread found them.
    pub alerts: Vec<Alert>,
    pub per_rule: Vec<u64>,
    pub follow_on: FollowOnCollector,
    pub dropped: u64,
    pub seed_matches: SeedMatches,
    /// Correlation firings (also among `alerts`).
    pub correlations: Vec<CorrelationMatch>,
    /// Matches that could not feed a correlation, and why.
    pub correlation_counts: Counts,
    /// Connections joined to a lookup read by another reader (or later), and pending
    /// connections dropped beyond the bound.
    pub joined_after: usize,
    pub pending_dropped: u64,
}

impl Detection {
    pub fn merge(set: &RuleSet, detectors: Vec<Detector<'_>>) -> Detection {
        let mut merged = Detection {
            per_rule: vec![0; set.len()],
            ..Detection::default()
        };
        let mut collectors = Vec::new();
        let mut pending = PendingConnections::default();
        for detector in detectors {
            pending.merge(detector.pending);
            collectors.push(detector.correlations);
            if let Some((_, _, matches)) = detector.seed {
                merged.seed_matches.merge(matches);
            }
            for (total, n) in merged.per_rule.iter_mut().zip(&detector.per_rule) {
                *total += n;
            }
            merged.alerts.extend(detector.alerts);
            merged.follow_on.merge(detector.follow_on);
            merged.dropped += detector.dropped;
        }
        if !set.correlations.is_empty() {
            let correlated = correlate(set, collectors);
            let infos = correlation_infos(set);
            merged.alerts.extend(
                correlated
                    .matches
                    .iter()
                    .map(|m| correlation_alert(set, &infos[m.correlation], m)),
            );
            merged.correlations = correlated.matches;
            merged.correlation_counts = correlated.counts;
        }
        // Reader threads finish in any order: sort so that the report does not depend on it.
        merged.alerts.sort_by_cached_key(|a| {
            let origin = &a.evidence[0].origin;
            (
                a.time,
                origin.file.clone(),
                origin.position,
                a.rule.id.clone(),
            )
        });
        merged.pending_dropped = pending.dropped;
        merged.joined_after = join_pending(&mut merged.alerts, pending);
        merged
    }
}

pub fn rule_infos(set: &RuleSet) -> Vec<RuleInfo> {
    set.rules.iter().map(|rule| rule_info(&rule.meta)).collect()
}

fn rule_info(meta: &whoiswatch_sigma::ast::Meta) -> RuleInfo {
    RuleInfo {
        id: meta.id.clone().unwrap_or_default(),
        title: meta.title.clone(),
        level: meta.level.name().to_string(),
        tags: meta.tags.clone(),
    }
}

fn correlation_infos(set: &RuleSet) -> Vec<RuleInfo> {
    set.correlations
        .iter()
        .map(|c| rule_info(&c.meta))
        .collect()
}

/// A correlation firing as an alert: the facts of its last kept event (host, user,
/// process), every kept event as evidence, the firing's time, and a sentence saying
/// why it fired. Without a kept event, a Custom Rule Engine event stands in.
fn correlation_alert(set: &RuleSet, rule: &RuleInfo, m: &CorrelationMatch) -> Alert {
    let first = m.evidence.first().cloned().unwrap_or_else(|| {
        let origin = m.members.last().cloned().expect("a firing has members");
        Event::new(
            &LogSourceType::CUSTOM_RULE_ENGINE,
            Category::default(),
            origin,
        )
    });
    let mut alert = Alert::from_event(rule.clone(), first);
    alert.evidence.extend(m.evidence.iter().skip(1).cloned());
    alert.time = Some(m.end);
    alert.summary = Some(m.describe(set));
    alert
}

/// The file stem of a rule (`net_connection_whois_port43`), by which --disable-rule and
/// `validate` name the pack's rules.
pub fn rule_stem(file: &str) -> &str {
    let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
    name.strip_suffix(".yml")
        .or_else(|| name.strip_suffix(".yaml"))
        .unwrap_or(name)
}

/// Which rules `--disable-rule` switches off (by id, stem or title); unknown names are
/// an error.
pub fn disabled_rules(set: &RuleSet, names: &[String]) -> anyhow::Result<Vec<bool>> {
    let mut disabled = vec![false; set.len()];
    for name in names {
        let mut found = false;
        for (index, rule) in set.rules.iter().enumerate() {
            if rule.meta.id.as_deref() == Some(name.as_str())
                || rule_stem(&rule.meta.file) == name
                || rule.meta.title == *name
            {
                disabled[index] = true;
                found = true;
            }
        }
        if !found {
            anyhow::bail!("--disable-rule {name}: no loaded rule has this id, file name or title");
        }
    }
    Ok(disabled)
}

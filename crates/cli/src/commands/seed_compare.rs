//! `scan --compare-seed`: the seed's QRadar query run beside the pack on the same events,
//! and what each finds that the other does not. The query's WHERE is evaluated on every
//! event as it is read; its time window is applied at the end, measured from `--now` or
//! else from the newest event (as `query --now latest` does).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::sync::Arc;

use whoiswatch_aql::compiled::Scope;
use whoiswatch_aql::{Env, Plan};
use whoiswatch_event::{Event, Position, Timestamp};
use whoiswatch_triage::Report;

/// Events the seed query's WHERE accepts, with their start times.
#[derive(Default)]
pub struct SeedMatches {
    matches: Vec<(Arc<str>, Position, Option<i64>)>,
    newest: Option<i64>,
}

impl SeedMatches {
    pub fn observe(&mut self, plan: &Plan, env: &Env<'_>, event: &Event) {
        let start = event.start_time().map(|t| t.millis());
        self.newest = self.newest.max(start);
        let accepted = plan
            .filter
            .as_ref()
            .is_none_or(|filter| filter.eval(&Scope::event(event), env).is_true());
        if accepted {
            self.matches
                .push((event.origin.file.clone(), event.origin.position, start));
        }
    }

    pub fn merge(&mut self, other: SeedMatches) {
        self.matches.extend(other.matches);
        self.newest = self.newest.max(other.newest);
    }
}

fn instant(millis: i64) -> String {
    Timestamp::from_millis(millis).to_string()
}

/// The side-by-side text: counts, the offenses the query misses, events only it returns.
pub fn compare(plan: &Plan, seed: &SeedMatches, now: Option<i64>, report: &Report) -> String {
    let now = now.or(seed.newest).unwrap_or(0);
    let window = plan.time.as_ref().map(|t| t.window(now));
    let returned: BTreeSet<(Arc<str>, Position)> = seed
        .matches
        .iter()
        .filter(|(_, _, start)| match (window, start) {
            (None, _) => true,
            (Some(w), Some(start)) => w.contains(*start),
            (Some(_), None) => false,
        })
        .map(|(file, position, _)| (file.clone(), *position))
        .collect();
    let seen_by_seed = |alert: usize| {
        report.alerts[alert]
            .alert
            .evidence
            .iter()
            .any(|e| returned.contains(&(e.origin.file.clone(), e.origin.position)))
    };
    let mut alerted: BTreeSet<(Arc<str>, Position)> = BTreeSet::new();
    for triaged in &report.alerts {
        for event in &triaged.alert.evidence {
            alerted.insert((event.origin.file.clone(), event.origin.position));
        }
    }
    let mut out = String::new();
    let span = match window {
        Some(w) => format!(", window {} .. {}", instant(w.from), instant(w.to)),
        None => String::new(),
    };
    let _ = writeln!(
        out,
        "\nSide by side with the seed's QRadar query (content/queries/t1596_002_whois.aql{span}):"
    );
    let both = report
        .offenses
        .iter()
        .filter(|o| o.alerts.iter().any(|&a| seen_by_seed(a)))
        .count();
    let alerts_seen = (0..report.alerts.len())
        .filter(|&a| seen_by_seed(a))
        .count();
    let _ = writeln!(
        out,
        "  seed query: {} events;  whoiswatch: {} alerts in {} offenses, of which the seed query \
         returns the events of {} alerts in {} offenses",
        returned.len(),
        report.alerts.len(),
        report.offenses.len(),
        alerts_seen,
        both
    );
    let missed: Vec<_> = report
        .offenses
        .iter()
        .filter(|o| !o.alerts.iter().any(|&a| seen_by_seed(a)))
        .collect();
    if !missed.is_empty() {
        let _ = writeln!(out, "  offenses the seed query misses entirely:");
        for offense in missed {
            let tier = offense
                .tier
                .map_or("suppressed".to_string(), |t| format!("tier {t}"));
            let rules: Vec<String> = offense
                .rules
                .iter()
                .map(|(title, n)| format!("{title} ×{n}"))
                .collect();
            let servers: Vec<&str> = offense.servers.iter().map(String::as_str).take(4).collect();
            let _ = writeln!(
                out,
                "    {}  {}  {tier}, score {}: {}{}",
                offense.id,
                offense.source,
                offense.score,
                rules.join("; "),
                if servers.is_empty() {
                    String::new()
                } else {
                    format!(" [{}]", servers.join(", "))
                }
            );
        }
    }
    let partly: Vec<_> = report
        .offenses
        .iter()
        .filter(|o| {
            o.alerts.iter().any(|&a| seen_by_seed(a)) && !o.alerts.iter().all(|&a| seen_by_seed(a))
        })
        .collect();
    if !partly.is_empty() {
        let _ = writeln!(
            out,
            "  offenses the seed query sees only in part (what it misses):"
        );
        for offense in partly {
            let mut missed: std::collections::BTreeMap<&str, usize> = Default::default();
            for &a in offense.alerts.iter().filter(|&&a| !seen_by_seed(a)) {
                *missed
                    .entry(report.alerts[a].alert.rule.title.as_str())
                    .or_default() += 1;
            }
            let missed: Vec<String> = missed.iter().map(|(t, n)| format!("{t} ×{n}")).collect();
            let _ = writeln!(
                out,
                "    {}  {}: {}",
                offense.id,
                offense.source,
                missed.join("; ")
            );
        }
    }
    let seed_only: Vec<_> = returned.difference(&alerted).collect();
    if seed_only.is_empty() {
        let _ = writeln!(
            out,
            "  events the seed query returns that the pack does not alert on: none"
        );
    } else {
        let _ = writeln!(
            out,
            "  events the seed query returns that the pack does not alert on: {}",
            seed_only.len()
        );
        for (file, position) in seed_only.iter().take(10) {
            let _ = writeln!(out, "    {file}:{position}");
        }
    }
    out
}

//! `whoiswatch scan`: read logs, run the rule set on every event on the reader threads
//! (and note follow-on activity), then triage the alerts into offenses and print the
//! result in the chosen form.

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::Context as _;
use whoiswatch_event::{Event, Timestamp};
use whoiswatch_ingest::{Consumer, ParseError};
use whoiswatch_output as output;
use whoiswatch_sigma::{RuleSet, Scanner};
use whoiswatch_triage::{Alert, Context, FollowOnCollector, Options, Playbook, RuleInfo};

use super::input::{exit_code, inputs, options, ErrorPrinter};
use super::rules::{load, load_options};
use super::seed_compare::{compare, SeedMatches};
use crate::args::{ScanArgs, ScanOutput};
use crate::pack;

/// Alerts kept for triage per reader thread; beyond this they are counted, not kept.
const MAX_ALERTS_PER_THREAD: usize = 500_000;

struct ScanConsumer<'r> {
    rules: &'r [RuleInfo],
    scanner: Scanner<'r>,
    alerts: Vec<Alert>,
    dropped: u64,
    per_rule: Vec<u64>,
    follow_on: FollowOnCollector,
    errors: ErrorPrinter,
    /// `--compare-seed`: the seed query's plan and what it accepted.
    seed: Option<(
        &'r whoiswatch_aql::Plan,
        whoiswatch_aql::Env<'r>,
        SeedMatches,
    )>,
}

impl Consumer for ScanConsumer<'_> {
    fn event(&mut self, event: Event) {
        self.follow_on.observe(&event);
        if let Some((plan, env, matches)) = &mut self.seed {
            matches.observe(plan, env, &event);
        }
        let hits = self.scanner.scan(&event);
        if hits.is_empty() {
            return;
        }
        // Correlations are not evaluated yet, so the rules they reference report their
        // own matches rather than vanish (whatever their `generate`).
        for &index in hits {
            self.per_rule[index] += 1;
            if self.alerts.len() >= MAX_ALERTS_PER_THREAD {
                self.dropped += 1;
                continue;
            }
            self.alerts
                .push(Alert::from_event(self.rules[index].clone(), event.clone()));
        }
    }

    fn error(&mut self, error: &ParseError) {
        self.errors.print(error);
    }
}

fn rule_infos(set: &RuleSet) -> Vec<RuleInfo> {
    set.rules
        .iter()
        .map(|rule| RuleInfo {
            id: rule.meta.id.clone().unwrap_or_default(),
            title: rule.meta.title.clone(),
            level: rule.meta.level.name().to_string(),
            tags: rule.meta.tags.clone(),
        })
        .collect()
}

/// The organisation's context from --config, or an empty one.
fn context(path: Option<&Path>) -> anyhow::Result<Result<Context, Vec<String>>> {
    let known = pack::known_destinations();
    let Some(path) = path else {
        return Ok(Ok(Context {
            known_destinations: known,
            ..Context::default()
        }));
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read --config {}", path.display()))?;
    let base = path.parent().unwrap_or(Path::new("."));
    Ok(
        Context::from_yaml(&path.display().to_string(), &text, base, known).map(
            |(context, warnings)| {
                for warning in warnings {
                    eprintln!("whoiswatch: {warning}");
                }
                context
            },
        ),
    )
}

fn now(arg: Option<&str>) -> anyhow::Result<Timestamp> {
    match arg {
        Some(text) => whoiswatch_event::time::parse_iso8601(text)
            .with_context(|| format!("--now {text} is not an ISO 8601 time")),
        None => Ok(Timestamp::now()),
    }
}

pub fn run(args: &ScanArgs) -> anyhow::Result<u8> {
    let options = options(&args.input.read)?;
    let now = now(args.now.as_deref())?;
    let context = match context(args.config.as_deref())? {
        Ok(context) => context,
        Err(errors) => {
            for error in errors {
                eprintln!("config: {error}");
            }
            return Ok(2);
        }
    };
    let playbook = Playbook::parse(pack::PLAYBOOK).map_err(|e| anyhow::anyhow!(e))?;
    let load_options = load_options(&args.rules.mapping, &args.rules.placeholder)?;
    let loaded = load(&args.rules.rules, args.rules.with_builtin, &load_options);
    for error in &loaded.errors {
        eprintln!("rule not loaded: {error}");
    }
    let set = loaded.set;
    if set.is_empty() {
        eprintln!("whoiswatch: no rule could be loaded");
        return Ok(2);
    }
    if !set.correlations.is_empty() {
        eprintln!(
            "whoiswatch: {} correlation rules loaded but not evaluated by this version; \
             the rules they reference report each match",
            set.correlations.len()
        );
    }
    let infos = rule_infos(&set);
    let reference = whoiswatch_reference::ReferenceData::default();
    let seed_plan = if args.compare_seed {
        Some(
            whoiswatch_aql::compile(pack::SEED_QUERY, &reference)
                .map_err(|e| anyhow::anyhow!(e.render("seed query", pack::SEED_QUERY)))?,
        )
    } else {
        None
    };
    let seed_env = whoiswatch_aql::Env {
        now_millis: now.millis(),
        reference: &reference,
    };
    let (inputs, listing_failed) = inputs(&args.input.paths);
    let (summary, consumers) = whoiswatch_ingest::read_all(&inputs, &options, || ScanConsumer {
        rules: &infos,
        scanner: set.scanner(),
        alerts: Vec::new(),
        dropped: 0,
        per_rule: vec![0; set.len()],
        follow_on: FollowOnCollector::default(),
        errors: ErrorPrinter::new(args.input.read.quiet),
        seed: seed_plan
            .as_ref()
            .map(|plan| (plan, seed_env, SeedMatches::default())),
    });
    let mut per_rule = vec![0u64; set.len()];
    let mut alerts = Vec::new();
    let mut follow_on = FollowOnCollector::default();
    let mut dropped = 0;
    let mut seed_matches = SeedMatches::default();
    for consumer in consumers {
        if let Some((_, _, matches)) = consumer.seed {
            seed_matches.merge(matches);
        }
        for (total, n) in per_rule.iter_mut().zip(&consumer.per_rule) {
            *total += n;
        }
        alerts.extend(consumer.alerts);
        follow_on.merge(consumer.follow_on);
        dropped += consumer.dropped;
    }
    // Reader threads finish in any order: sort so that the report does not depend on it.
    let order = |a: &Alert| {
        let origin = &a.evidence[0].origin;
        (
            a.time,
            origin.file.clone(),
            origin.position,
            a.rule.id.clone(),
        )
    };
    alerts.sort_by_cached_key(order);
    let report = whoiswatch_triage::triage(alerts, &context, &Options { now }, Some(&follow_on));
    let guidance: Vec<_> = report
        .offenses
        .iter()
        .map(|o| playbook.guide(o, &report, &context))
        .collect();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = match args.output {
        ScanOutput::Table => {
            let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            output::write_offense_table(&report, &guidance, colour, args.show_suppressed, &mut out)
        }
        ScanOutput::Ndjson => (|| {
            for offense in &report.offenses {
                for &i in &offense.alerts {
                    serde_json::to_writer(
                        &mut out,
                        &output::alert_to_json(&report.alerts[i], offense),
                    )?;
                    out.write_all(b"\n")?;
                }
            }
            Ok(())
        })(),
        ScanOutput::Json => {
            serde_json::to_writer_pretty(&mut out, &output::report_to_json(&report, &guidance))
                .map_err(std::io::Error::from)
                .and_then(|_| out.write_all(b"\n"))
        }
        ScanOutput::Csv => output::write_alerts_csv(&report, &mut out),
        ScanOutput::Html => {
            let title = match &context.organisation {
                Some(org) => format!("whoiswatch — WHOIS/RDAP reconnaissance (T1596.002) — {org}"),
                None => "whoiswatch — WHOIS/RDAP reconnaissance (T1596.002)".to_string(),
            };
            output::write_html_report(&report, &guidance, &title, &mut out)
        }
        ScanOutput::None => Ok(()),
    };
    let written = written.and_then(|_| match &seed_plan {
        Some(plan) => {
            let now = args.now.as_ref().map(|_| now.millis());
            let text = compare(plan, &seed_matches, now, &report);
            // Beside a table it is part of the answer; beside machine output, a note.
            if args.output == ScanOutput::Table {
                out.write_all(text.as_bytes())
            } else {
                eprint!("{text}");
                Ok(())
            }
        }
        None => Ok(()),
    });
    let _ = written.and_then(|_| out.flush());
    drop(out);
    crate::summary::print(&summary);
    let alerts: u64 = per_rule.iter().sum();
    eprintln!("{} rules loaded, {alerts} alerts", set.len());
    if dropped > 0 {
        eprintln!(
            "whoiswatch: {dropped} alerts beyond {MAX_ALERTS_PER_THREAD} per thread were counted but not triaged"
        );
    }
    let mut ranked: Vec<(usize, u64)> = per_rule
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, n)| *n > 0)
        .collect();
    ranked.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    for (index, n) in ranked {
        eprintln!("  {n:>8}  {}", set.rules[index].meta.title);
    }
    Ok(exit_code(&summary, listing_failed))
}

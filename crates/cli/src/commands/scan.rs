//! `whoiswatch scan`: read logs, run the rule set on every event on the reader threads
//! (and note follow-on activity), then triage the alerts into offenses and print the
//! result in the chosen form.

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::Context as _;
use whoiswatch_event::Timestamp;
use whoiswatch_output as output;
use whoiswatch_triage::{Context, Options, Playbook};

use super::detect::{disabled_rules, rule_infos, Detection, Detector, MAX_ALERTS_PER_THREAD};
use super::input::{exit_code, inputs, options, ErrorPrinter};
use super::rules::{load, load_options};
use super::seed_compare::{compare, SeedMatches};
use crate::args::{ScanArgs, ScanOutput};
use crate::pack;
use crate::progress::Progress;

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
    let mut options = options(&args.input.read)?;
    // Alerts are put in one order after the scan, so a large file may be shared by
    // several readers.
    options.split_large_files = true;
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
    let infos = rule_infos(&set);
    let disabled = disabled_rules(&set, &args.rules.disable_rule)?;
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
    let progress = Progress::for_terminal(&inputs);
    let (summary, detectors) = std::thread::scope(|scope| {
        if let Some(progress) = &progress {
            scope.spawn(|| progress.show());
        }
        let result = whoiswatch_ingest::read_all(&inputs, &options, || {
            Detector::new(
                &set,
                &infos,
                &disabled,
                ErrorPrinter::new(args.input.read.quiet),
                seed_plan
                    .as_ref()
                    .map(|plan| (plan, seed_env, SeedMatches::default())),
            )
            .with_progress(progress.as_ref())
        });
        if let Some(progress) = &progress {
            progress.finish();
        }
        result
    });
    let Detection {
        alerts,
        per_rule,
        follow_on,
        dropped,
        seed_matches,
        correlations,
        correlation_counts,
        joined_after,
        pending_dropped,
    } = Detection::merge(&set, detectors);
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
    if let Some(path) = &args.rule_counts {
        write_rule_counts(path, &set, &per_rule)
            .with_context(|| format!("cannot write --rule-counts {}", path.display()))?;
    }
    crate::summary::print(&summary);
    let matches: u64 = per_rule.iter().sum();
    eprintln!(
        "{} rules loaded, {matches} matches, {} alerts",
        set.len(),
        report.alerts.len()
    );
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
        let only = if set.reported_alone(index) {
            ""
        } else {
            "  (feeds a correlation only)"
        };
        eprintln!("  {n:>8}  {}{only}", set.rules[index].meta.title);
    }
    if joined_after > 0 {
        eprintln!(
            "{joined_after} connections joined to DNS lookups in other files (or read later)"
        );
    }
    if pending_dropped > 0 {
        eprintln!(
            "whoiswatch: {pending_dropped} web/WHOIS connections were not kept for joining \
             to lookups in other files (beyond {} per reader)",
            whoiswatch_triage::dns_join::MAX_PENDING
        );
    }
    if !set.correlations.is_empty() {
        print_correlation_counts(&set, &correlations, &correlation_counts);
    }
    Ok(exit_code(&summary, listing_failed))
}

/// One line per rule, in rule-file order: `matches<TAB>id<TAB>title<TAB>file`.
fn write_rule_counts(
    path: &Path,
    set: &whoiswatch_sigma::RuleSet,
    per_rule: &[u64],
) -> std::io::Result<()> {
    let mut order: Vec<usize> = (0..set.rules.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&set.rules[a].meta, &set.rules[b].meta);
        (&a.file, &a.id, &a.title).cmp(&(&b.file, &b.id, &b.title))
    });
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(out, "matches\trule_id\ttitle\tfile")?;
    for index in order {
        let meta = &set.rules[index].meta;
        let clean = |text: &str| text.replace(['\t', '\n'], " ");
        writeln!(
            out,
            "{}\t{}\t{}\t{}",
            per_rule[index],
            meta.id.as_deref().unwrap_or("-"),
            clean(&meta.title),
            clean(&meta.file)
        )?;
    }
    out.flush()
}

/// How often each correlation fired, and the matches it could not use.
fn print_correlation_counts(
    set: &whoiswatch_sigma::RuleSet,
    matches: &[whoiswatch_sigma::CorrelationMatch],
    counts: &whoiswatch_sigma::correlation::Counts,
) {
    let mut fired = vec![0u64; set.correlations.len()];
    for m in matches {
        fired[m.correlation] += 1;
    }
    eprintln!(
        "{} correlation rules, {} firings from {} matches",
        set.correlations.len(),
        matches.len(),
        counts.observations
    );
    for (c, n) in fired.iter().enumerate() {
        if *n > 0 {
            eprintln!("  {n:>8}  {}", set.correlations[c].meta.title);
        }
    }
    let skipped = [
        (counts.without_group, "lacked a group-by field"),
        (counts.without_time, "had no time"),
        (counts.beyond_limit, "were beyond the per-thread limit"),
    ];
    for (n, why) in skipped {
        if n > 0 {
            eprintln!("  {n} matches not correlated: they {why}");
        }
    }
}

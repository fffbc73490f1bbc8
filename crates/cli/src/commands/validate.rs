//! `whoiswatch validate`: the seed's testing methodology, run. Without --test it
//! simulates every behaviour, scans what it wrote in-process, and prints PASS or FAIL for
//! each test, expected signal and evidence source, with the alert that was or was not
//! produced. With --test N PATHS it checks real logs captured during test N: which
//! expected signals are present, which were detected, and which telemetry is missing.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use whoiswatch_event::{Event, Position};
use whoiswatch_ingest::{Consumer, ParseError};
use whoiswatch_sigma::RuleSet;
use whoiswatch_simulate::{config_yaml, signals, simulate, Behaviour, Signal, SIGNALS};
use whoiswatch_triage::Alert;

use super::coverage::{self, Coverage};
use super::detect::{disabled_rules, rule_infos, rule_stem, Detection, Detector};
use super::input::{inputs, options, ErrorPrinter};
use super::rules::{load, load_options};
use super::simulate::settings;
use crate::args::ValidateArgs;
use crate::pack;

/// Events remembered per signal (all are counted).
const KEPT_PER_SIGNAL: usize = 1000;

type Place = (Arc<str>, Position);

/// An event carrying a signal: where it is, and the rule that should report it.
struct Hit {
    place: Place,
    rule: &'static str,
}

/// The detector, plus every event that carries one of `signals`.
struct Observer<'r> {
    detector: Detector<'r>,
    signals: &'r [&'static Signal],
    hits: Vec<Vec<Hit>>,
    counts: Vec<u64>,
    errors: u64,
}

impl Consumer for Observer<'_> {
    fn event(&mut self, event: Event) {
        for (i, signal) in self.signals.iter().enumerate() {
            if (signal.matches)(&event) {
                self.counts[i] += 1;
                if self.hits[i].len() < KEPT_PER_SIGNAL {
                    self.hits[i].push(Hit {
                        place: (event.origin.file.clone(), event.origin.position),
                        rule: (signal.rule)(&event),
                    });
                }
            }
        }
        self.detector.event(event);
    }

    fn error(&mut self, error: &ParseError) {
        self.errors += 1;
        self.detector.error(error);
    }
}

/// Which alerts hold the event at each place, as evidence.
fn evidence_index(alerts: &[Alert]) -> HashMap<Place, Vec<usize>> {
    let mut index: HashMap<Place, Vec<usize>> = HashMap::new();
    for (i, alert) in alerts.iter().enumerate() {
        for event in &alert.evidence {
            index
                .entry((event.origin.file.clone(), event.origin.position))
                .or_default()
                .push(i);
        }
    }
    index
}

struct Loaded {
    set: RuleSet,
    /// Rule id → file stem.
    stems: HashMap<String, String>,
}

fn load_rules(args: &ValidateArgs) -> anyhow::Result<Loaded> {
    let options = load_options(&args.rules.mapping, &args.rules.placeholder)?;
    let loaded = load(&args.rules.rules, args.rules.with_builtin, &options);
    for error in &loaded.errors {
        eprintln!("rule not loaded: {error}");
    }
    let stems = loaded
        .set
        .rules
        .iter()
        .map(|r| {
            (
                r.meta.id.clone().unwrap_or_default(),
                rule_stem(&r.meta.file).to_string(),
            )
        })
        .collect();
    Ok(Loaded {
        set: loaded.set,
        stems,
    })
}

pub fn run(args: &ValidateArgs) -> anyhow::Result<u8> {
    match args.test {
        Some(test) => real_logs(args, test),
        None => {
            if !args.paths.is_empty() {
                anyhow::bail!("paths are checked against one test: add --test N");
            }
            simulated(args)
        }
    }
}

/// A line's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    Fail,
}

fn mark(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Pass => "PASS",
        Outcome::Fail => "FAIL",
    }
}

fn simulated(args: &ValidateArgs) -> anyhow::Result<u8> {
    let settings = settings(&args.simulation)?;
    let rules = load_rules(args)?;
    let set = &rules.set;
    let infos = rule_infos(set);
    let disabled = disabled_rules(set, &args.rules.disable_rule)?;
    let files = simulate(&settings, &Behaviour::ALL);
    let read = options(&args.read)?;
    let all: Vec<&'static Signal> = SIGNALS.iter().collect();
    let mut observer = Observer {
        detector: Detector::new(set, &infos, &disabled, ErrorPrinter::new(false), None),
        signals: &all,
        hits: all.iter().map(|_| Vec::new()).collect(),
        counts: vec![0; all.len()],
        errors: 0,
    };
    let mut events = 0;
    for file in &files {
        let (summaries, _) = whoiswatch_ingest::read_reader(
            &file.path,
            Box::new(file.text.as_bytes()),
            &read,
            &mut observer,
        );
        events += summaries.iter().map(|s| s.events).sum::<u64>();
    }
    let read_errors = observer.errors;
    let hits = std::mem::take(&mut observer.hits);
    let detection = Detection::merge(set, vec![observer.detector]);
    let index = evidence_index(&detection.alerts);

    let out = std::io::stdout();
    let mut out = std::io::BufWriter::new(out.lock());
    let mut failed = 0;
    let mut passed = 0;
    let mut coverage = Coverage::default();
    let mut line = |out: &mut dyn Write, outcome: Outcome, what: &str, detail: &str| {
        match outcome {
            Outcome::Pass => passed += 1,
            Outcome::Fail => failed += 1,
        }
        writeln!(out, "    {}  {what:<26} {detail}", mark(outcome))
    };
    writeln!(
        out,
        "Simulated {} events in {} files (seed {}); {} rules{}.\n",
        events,
        files.len(),
        settings.seed,
        set.len() - disabled.iter().filter(|d| **d).count(),
        if disabled.iter().any(|d| *d) {
            format!(" ({} disabled)", disabled.iter().filter(|d| **d).count())
        } else {
            String::new()
        }
    )?;
    if read_errors > 0 {
        line(
            &mut out,
            Outcome::Fail,
            "read back",
            &format!("{read_errors} records of the simulated files could not be read"),
        )?;
    }
    for behaviour in Behaviour::ALL {
        if signals::signals(behaviour).next().is_none() {
            continue;
        }
        match behaviour.test() {
            Some(n) => writeln!(out, "Test {n}  {}", behaviour.title())?,
            None => writeln!(out, "{}", behaviour.title())?,
        }
        let prefix = format!("{}/", behaviour.dir());
        for (i, signal) in all.iter().enumerate() {
            if signal.behaviour != behaviour {
                continue;
            }
            writeln!(out, "  {}", signal.expected)?;
            let mut by_file: BTreeMap<&str, Vec<&Hit>> = BTreeMap::new();
            for hit in &hits[i] {
                if let Some(name) = hit.place.0.strip_prefix(prefix.as_str()) {
                    by_file.entry(name).or_default().push(hit);
                }
            }
            if by_file.is_empty() {
                line(
                    &mut out,
                    Outcome::Fail,
                    "(no file)",
                    "simulate wrote no event with this signal (a whoiswatch bug)",
                )?;
            }
            for (name, hits) in by_file {
                let rule = hits[0].rule;
                let found = hits.iter().find_map(|hit| {
                    index.get(&hit.place).and_then(|alerts| {
                        alerts
                            .iter()
                            .map(|&a| &detection.alerts[a])
                            .find(|a| rules.stems.get(&a.rule.id).map(String::as_str) == Some(rule))
                            .map(|a| (a, &hit.place))
                    })
                });
                let source = files
                    .iter()
                    .find(|f| f.path.ends_with(name))
                    .map_or("(unknown source)", |f| f.source);
                let outcome = if found.is_some() {
                    Outcome::Pass
                } else {
                    Outcome::Fail
                };
                if let Some(n) = behaviour.test() {
                    coverage.record(source, n, outcome == Outcome::Pass);
                }
                let detail = match found {
                    Some((alert, place)) => {
                        format!("{} ({rule}) ← {}", alert.rule.title, place_name(place))
                    }
                    None => {
                        let others: BTreeSet<&str> = hits
                            .iter()
                            .flat_map(|h| index.get(&h.place).into_iter().flatten())
                            .filter_map(|&a| rules.stems.get(&detection.alerts[a].rule.id))
                            .map(String::as_str)
                            .collect();
                        let switched_off = set
                            .rules
                            .iter()
                            .zip(&disabled)
                            .any(|(r, d)| *d && rule_stem(&r.meta.file) == rule);
                        format!(
                            "no alert of {rule}{} on {}{}",
                            if switched_off { " (disabled)" } else { "" },
                            place_name(&hits[0].place),
                            if others.is_empty() {
                                String::new()
                            } else {
                                format!(
                                    "; other rules fired: {}",
                                    others.into_iter().collect::<Vec<_>>().join(", ")
                                )
                            }
                        )
                    }
                };
                line(&mut out, outcome, name, &detail)?;
            }
        }
        writeln!(out)?;
    }
    // The false positives: detected, and suppressed by the allowlist of their category.
    writeln!(out, "{}", Behaviour::FalsePositives.title())?;
    let context = false_positive_context(&settings)?;
    let report = whoiswatch_triage::triage(
        detection
            .alerts
            .iter()
            .filter(|a| a.evidence[0].origin.file.starts_with("false-positives/"))
            .cloned()
            .collect(),
        &context,
        &whoiswatch_triage::Options {
            now: settings.start,
        },
        None,
    );
    for (category, who) in [
        ("analyst", "a SOC analyst's Sysinternals whois"),
        (
            "administrator",
            "an administrator's RDAP lookup of the own domain",
        ),
        ("scanner", "the vulnerability scanner's TCP/43"),
        ("cicd", "the CI pipeline's whois"),
    ] {
        let suppressed: Vec<_> = report
            .alerts
            .iter()
            .filter(|t| {
                t.suppressed_by
                    .as_ref()
                    .is_some_and(|s| s.category == category)
            })
            .collect();
        let outcome = if suppressed.is_empty() {
            Outcome::Fail
        } else {
            Outcome::Pass
        };
        let detail = match suppressed.first().and_then(|t| t.suppressed_by.as_ref()) {
            Some(s) => format!(
                "{who}: {} alerts suppressed by {}",
                suppressed.len(),
                s.allowlist
            ),
            None => format!("{who}: no alert suppressed as {category}"),
        };
        line(&mut out, outcome, category, &detail)?;
    }
    let loud: Vec<_> = report
        .alerts
        .iter()
        .filter(|t| t.suppressed_by.is_none())
        .collect();
    let detail = if loud.is_empty() {
        format!(
            "all {} alerts of the false positives are suppressed",
            report.alerts.len()
        )
    } else {
        format!(
            "{} alerts not suppressed, first: {} ← {}",
            loud.len(),
            loud[0].alert.rule.title,
            loud[0].alert.evidence[0].origin
        )
    };
    line(
        &mut out,
        if loud.is_empty() {
            Outcome::Pass
        } else {
            Outcome::Fail
        },
        "suppressed",
        &detail,
    )?;
    writeln!(out)?;
    writeln!(out, "{}", Behaviour::Background.title())?;
    let noisy: Vec<&Alert> = detection
        .alerts
        .iter()
        .filter(|a| a.evidence[0].origin.file.starts_with("background/"))
        .collect();
    let detail = match noisy.first() {
        None => "no alert on look-alike names, ports 4343/430/1043/8043 or \"port 43\" in text"
            .to_string(),
        Some(a) => format!(
            "{} alerts, first: {} ← {}",
            noisy.len(),
            a.rule.title,
            a.evidence[0].origin
        ),
    };
    line(
        &mut out,
        if noisy.is_empty() {
            Outcome::Pass
        } else {
            Outcome::Fail
        },
        "no alert",
        &detail,
    )?;
    writeln!(out)?;
    coverage.write(&mut out)?;
    writeln!(
        out,
        "\n{passed} passed, {failed} failed{}",
        if failed == 0 {
            ""
        } else {
            " — see the FAIL lines above"
        }
    )?;
    out.flush()?;
    if let Some(path) = &args.navigator {
        write_navigator(path, &coverage)?;
    }
    Ok(if failed == 0 { 0 } else { 1 })
}

fn place_name((file, position): &Place) -> String {
    format!("{file}:{position}")
}

fn false_positive_context(
    settings: &whoiswatch_simulate::Settings,
) -> anyhow::Result<whoiswatch_triage::Context> {
    whoiswatch_triage::Context::from_yaml(
        "simulate whoiswatch.yml",
        &config_yaml(settings),
        Path::new("."),
        pack::known_destinations(),
    )
    .map(|(context, _)| context)
    .map_err(|errors| anyhow::anyhow!("the simulated config is invalid: {}", errors.join("; ")))
}

fn write_navigator(path: &Path, coverage: &Coverage) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(&coverage::navigator_layer(coverage))?;
    std::fs::write(path, text + "\n")
        .with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!("wrote the ATT&CK Navigator layer to {}", path.display());
    Ok(())
}

/// `validate --test N PATHS`: what a team's captured logs show of test N.
fn real_logs(args: &ValidateArgs, test: u8) -> anyhow::Result<u8> {
    if args.paths.is_empty() {
        anyhow::bail!(
            "--test {test} needs the logs captured during the test: files or directories"
        );
    }
    let behaviour = Behaviour::from_test(test).context("no such test")?;
    let rules = load_rules(args)?;
    let set = &rules.set;
    let infos = rule_infos(set);
    let disabled = disabled_rules(set, &args.rules.disable_rule)?;
    let wanted: Vec<&'static Signal> = signals::signals(behaviour).collect();
    let read = options(&args.read)?;
    let (inputs, _) = inputs(&args.paths);
    let (summary, observers) = whoiswatch_ingest::read_all(&inputs, &read, || Observer {
        detector: Detector::new(
            set,
            &infos,
            &disabled,
            ErrorPrinter::new(args.read.quiet),
            None,
        ),
        signals: &wanted,
        hits: wanted.iter().map(|_| Vec::new()).collect(),
        counts: vec![0; wanted.len()],
        errors: 0,
    });
    let mut hits: Vec<Vec<Hit>> = wanted.iter().map(|_| Vec::new()).collect();
    let mut counts = vec![0u64; wanted.len()];
    let mut detectors = Vec::new();
    for observer in observers {
        for (i, h) in observer.hits.into_iter().enumerate() {
            hits[i].extend(h);
            counts[i] += observer.counts[i];
        }
        detectors.push(observer.detector);
    }
    let detection = Detection::merge(set, detectors);
    let index = evidence_index(&detection.alerts);
    let out = std::io::stdout();
    let mut out = std::io::BufWriter::new(out.lock());
    writeln!(
        out,
        "Test {test}  {}\nChecked {} events in {} files.\n",
        behaviour.title(),
        summary.events(),
        summary.files.len()
    )?;
    let (mut present, mut detected) = (0, 0);
    let mut undetected = 0;
    let mut missing: Vec<&'static str> = Vec::new();
    for (i, signal) in wanted.iter().enumerate() {
        writeln!(out, "  {}", signal.expected)?;
        if hits[i].is_empty() {
            writeln!(out, "    MISSING   {}", signal.evidence.missing())?;
            if !missing.contains(&signal.evidence.missing()) {
                missing.push(signal.evidence.missing());
            }
            continue;
        }
        present += 1;
        let found = hits[i].iter().find_map(|hit| {
            index
                .get(&hit.place)
                .and_then(|a| a.first())
                .map(|&a| (&detection.alerts[a], &hit.place))
        });
        match found {
            Some((alert, place)) => {
                detected += 1;
                writeln!(
                    out,
                    "    DETECTED  {} events; {} ← {}",
                    counts[i],
                    alert.rule.title,
                    place_name(place)
                )?;
            }
            None => {
                undetected += 1;
                writeln!(
                    out,
                    "    PRESENT   {} events (first {}) but no alert: expected {}",
                    counts[i],
                    place_name(&hits[i][0].place),
                    hits[i][0].rule
                )?;
            }
        }
    }
    writeln!(
        out,
        "\n{present} of {} expected signals present, {detected} detected.",
        wanted.len()
    )?;
    if !missing.is_empty() {
        writeln!(out, "Missing telemetry:")?;
        for m in &missing {
            writeln!(out, "  - {m}")?;
        }
    }
    out.flush()?;
    crate::summary::print(&summary);
    Ok(if undetected > 0 || detected == 0 {
        1
    } else {
        0
    })
}

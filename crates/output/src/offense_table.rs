//! The terminal summary of a triaged scan: offenses by tier and score with their top
//! evidence, then the decision and reasons of each offense.

use std::io::{self, Write};

use whoiswatch_triage::playbook::Guidance;
use whoiswatch_triage::Report;

use crate::Table;

const RED: &str = "1;31";
const YELLOW: &str = "33";
const DIM: &str = "2";

fn tier_name(tier: Option<u8>) -> String {
    match tier {
        Some(t) => format!("T{t}"),
        None => "suppressed".into(),
    }
}

/// `colour`: emit ANSI colours (on a terminal only). `show_suppressed`: list suppressed
/// offenses too (always counted).
pub fn write_offense_table(
    report: &Report,
    guidance: &[Guidance],
    colour: bool,
    show_suppressed: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut table = Table::new(
        [
            "tier",
            "score",
            "offense",
            "source",
            "first seen",
            "alerts",
            "top evidence",
            "why",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
    );
    let mut hidden = 0;
    for offense in &report.offenses {
        if offense.tier.is_none() && !show_suppressed {
            hidden += 1;
            continue;
        }
        let first = &report.alerts[offense.alerts[0]].alert;
        let evidence = match (&first.destination_host, first.destination_port) {
            (Some(h), Some(p)) => format!("{}: {h}:{p}", first.rule.title),
            (Some(h), None) => format!("{}: {h}", first.rule.title),
            (None, Some(p)) => format!(
                "{}: {}:{p}",
                first.rule.title,
                first
                    .destination_ip
                    .map(|i| i.to_string())
                    .unwrap_or_default()
            ),
            (None, None) => format!(
                "{}: {}",
                first.rule.title,
                first.command.as_deref().unwrap_or("")
            ),
        };
        let why = match &offense.suppressed_by {
            Some(s) => format!("allowlist {} ({})", s.allowlist, s.category),
            None => offense
                .reasons
                .iter()
                .filter(|r| r.code != "base")
                .map(|r| r.code)
                .collect::<Vec<_>>()
                .join(","),
        };
        let style = colour.then_some(match offense.tier {
            Some(2) => RED,
            Some(_) => YELLOW,
            None => DIM,
        });
        table.push_styled(
            vec![
                tier_name(offense.tier),
                offense.score.to_string(),
                offense.id.clone(),
                offense.source.clone(),
                offense
                    .first_seen
                    .map(|t| t.to_string())
                    .unwrap_or_default(),
                offense.alerts.len().to_string(),
                evidence,
                why,
            ],
            style,
        );
    }
    if table.is_empty() {
        writeln!(out, "no WHOIS/RDAP offense")?;
    } else {
        table.write(out)?;
    }
    let count = |tier: Option<u8>| report.offenses.iter().filter(|o| o.tier == tier).count();
    writeln!(
        out,
        "\n{} offenses from {} alerts: {} tier 2, {} tier 1, {} suppressed{}",
        report.offenses.len(),
        report.alerts.len(),
        count(Some(2)),
        count(Some(1)),
        count(None),
        if hidden > 0 {
            " (list them with --show-suppressed)"
        } else {
            ""
        }
    )?;
    for (offense, guide) in report.offenses.iter().zip(guidance) {
        if offense.tier.is_none() {
            continue;
        }
        writeln!(
            out,
            "\n{} {} {} score {}",
            tier_name(offense.tier),
            offense.id,
            offense.source,
            offense.score
        )?;
        writeln!(out, "  decision: {}", guide.decision)?;
        for reason in &offense.reasons {
            writeln!(out, "  {:+} {}", reason.points, reason.text)?;
        }
        // The first facts of each L1 step and T2 action, each said once.
        let mut said = std::collections::HashSet::new();
        let firsts = guide.l1.iter().map(|s| s.facts.iter().take(2));
        let t2 = guide.t2.iter().map(|s| s.facts.iter().take(3));
        for fact in firsts.chain(t2).flatten() {
            if said.insert(fact) {
                writeln!(out, "  · {fact}")?;
            }
        }
        if let Some(command) = guide.containment.first() {
            writeln!(out, "  contain ({}): {}", command.target, command.command)?;
        }
    }
    for note in &report.notes {
        writeln!(out, "note: {note}")?;
    }
    Ok(())
}

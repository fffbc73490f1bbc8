//! A self-contained HTML report (inline CSS and SVG, no external assets): a timeline of
//! WHOIS activity per source, then each offense with its reasons, playbook, containment
//! commands and evidence.

use std::collections::BTreeMap;
use std::io::{self, Write};

use whoiswatch_triage::playbook::{Filled, Guidance};
use whoiswatch_triage::Report;

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#222;max-width:1200px}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}
.t2{border-left:6px solid #c62828}.t1{border-left:6px solid #f9a825}.sup{border-left:6px solid #9e9e9e;opacity:.75}
.offense{padding:.5em 1em;margin:1em 0;background:#fafafa}pre{background:#263238;color:#eee;padding:.6em;overflow-x:auto;white-space:pre-wrap}
.badge{display:inline-block;padding:0 .5em;border-radius:3px;color:#fff;font-weight:bold}
.b2{background:#c62828}.b1{background:#f9a825;color:#222}.bs{background:#9e9e9e}
.facts{color:#444;margin:.2em 0 .6em 1.2em}small{color:#666}";

fn badge(tier: Option<u8>) -> &'static str {
    match tier {
        Some(2) => "<span class=\"badge b2\">Tier 2</span>",
        Some(_) => "<span class=\"badge b1\">Tier 1</span>",
        None => "<span class=\"badge bs\">suppressed</span>",
    }
}

fn steps(out: &mut dyn Write, title: &str, steps: &[Filled]) -> io::Result<()> {
    if steps.is_empty() {
        return Ok(());
    }
    writeln!(out, "<h4>{}</h4><ol>", escape(title))?;
    for step in steps {
        writeln!(out, "<li>{}<ul class=\"facts\">", escape(&step.text))?;
        for fact in &step.facts {
            writeln!(out, "<li>{}</li>", escape(fact))?;
        }
        writeln!(out, "</ul></li>")?;
    }
    writeln!(out, "</ol>")
}

/// One row of dots per source over the scanned period.
fn timeline(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut per_source: BTreeMap<&str, Vec<(i64, Option<u8>)>> = BTreeMap::new();
    for offense in &report.offenses {
        for &i in &offense.alerts {
            if let Some(t) = report.alerts[i].alert.time {
                per_source
                    .entry(&offense.source)
                    .or_default()
                    .push((t.0, offense.tier));
            }
        }
    }
    let times: Vec<i64> = per_source.values().flatten().map(|(t, _)| *t).collect();
    let (Some(&min), Some(&max)) = (times.iter().min(), times.iter().max()) else {
        return writeln!(out, "<p>No timed alerts.</p>");
    };
    let span = (max - min).max(1) as f64;
    let (left, width, row) = (180.0, 900.0, 22.0);
    let height = row * per_source.len() as f64 + 30.0;
    writeln!(out, "<svg width=\"{}\" height=\"{height}\" role=\"img\" aria-label=\"WHOIS activity per source\">", left + width + 20.0)?;
    for (n, (source, points)) in per_source.iter().enumerate() {
        let y = 20.0 + row * n as f64;
        writeln!(
            out,
            "<text x=\"0\" y=\"{}\" font-size=\"12\">{}</text>",
            y + 4.0,
            escape(source)
        )?;
        writeln!(
            out,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\" stroke=\"#ccc\"/>",
            left + width
        )?;
        for (t, tier) in points {
            let x = left + width * ((t - min) as f64 / span);
            let colour = match tier {
                Some(2) => "#c62828",
                Some(_) => "#f9a825",
                None => "#9e9e9e",
            };
            writeln!(out, "<circle cx=\"{x:.1}\" cy=\"{y}\" r=\"4\" fill=\"{colour}\"><title>{}</title></circle>", whoiswatch_event::Timestamp(*t))?;
        }
    }
    let y = height - 6.0;
    writeln!(
        out,
        "<text x=\"{left}\" y=\"{y}\" font-size=\"11\">{}</text><text x=\"{}\" y=\"{y}\" font-size=\"11\" text-anchor=\"end\">{}</text></svg>",
        whoiswatch_event::Timestamp(min),
        left + width,
        whoiswatch_event::Timestamp(max)
    )
}

pub fn write_html_report(
    report: &Report,
    guidance: &[Guidance],
    title: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    let count = |tier: Option<u8>| report.offenses.iter().filter(|o| o.tier == tier).count();
    writeln!(out, "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>", escape(title))?;
    writeln!(out, "<h1>{}</h1>", escape(title))?;
    writeln!(
        out,
        "<p>{} offenses from {} alerts: <b>{} Tier 2</b>, {} Tier 1, {} suppressed by allowlists.</p>",
        report.offenses.len(),
        report.alerts.len(),
        count(Some(2)),
        count(Some(1)),
        count(None)
    )?;
    for note in &report.notes {
        writeln!(out, "<p><small>note: {}</small></p>", escape(note))?;
    }
    writeln!(out, "<h2>Timeline of WHOIS activity per source</h2>")?;
    timeline(report, out)?;
    writeln!(out, "<h2>Offenses</h2><table><tr><th>tier</th><th>score</th><th>offense</th><th>source</th><th>first seen</th><th>last seen</th><th>alerts</th></tr>")?;
    for o in &report.offenses {
        writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td><a href=\"#{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            badge(o.tier),
            o.score,
            o.id,
            o.id,
            escape(&o.source),
            o.first_seen.map(|t| t.to_string()).unwrap_or_default(),
            o.last_seen.map(|t| t.to_string()).unwrap_or_default(),
            o.alerts.len()
        )?;
    }
    writeln!(out, "</table>")?;
    for (o, guide) in report.offenses.iter().zip(guidance) {
        let class = match o.tier {
            Some(2) => "t2",
            Some(_) => "t1",
            None => "sup",
        };
        writeln!(
            out,
            "<section class=\"offense {class}\" id=\"{}\"><h3>{} {} — {} (score {})</h3>",
            o.id,
            badge(o.tier),
            o.id,
            escape(&o.source),
            o.score
        )?;
        writeln!(
            out,
            "<p><b>Decision:</b> {}</p><ul>",
            escape(&guide.decision)
        )?;
        for r in &o.reasons {
            writeln!(out, "<li>{:+} {}</li>", r.points, escape(&r.text))?;
        }
        writeln!(out, "</ul>")?;
        steps(out, "L1 analysis", &guide.l1)?;
        steps(out, "Questions for analysis", &guide.questions)?;
        steps(out, "T2 analyst actions", &guide.t2)?;
        if !guide.containment.is_empty() {
            writeln!(
                out,
                "<h4>Containment</h4><p>{}</p>",
                escape(&guide.containment_text)
            )?;
            for c in &guide.containment {
                writeln!(
                    out,
                    "<p>{} <small>(run on {})</small></p><pre>{}</pre>",
                    escape(&c.title),
                    escape(&c.target),
                    escape(&c.command)
                )?;
            }
        }
        writeln!(out, "<h4>Evidence</h4><table><tr><th>time</th><th>rule</th><th>score</th><th>destination</th><th>process / command</th><th>record</th></tr>")?;
        for &i in &o.alerts {
            let t = &report.alerts[i];
            let a = &t.alert;
            let destination = format!(
                "{} {}{}",
                a.destination_host.as_deref().unwrap_or(""),
                a.destination_ip
                    .map(|ip| ip.to_string())
                    .unwrap_or_default(),
                a.destination_port
                    .map(|p| format!(":{p}"))
                    .unwrap_or_default()
            );
            let command = a.command.as_deref().or(a.image.as_deref()).unwrap_or("");
            let mut command: String = command.chars().take(300).collect();
            if let Some(summary) = &a.summary {
                command = format!("{summary} — {command}");
            }
            let origin: Vec<String> = a.evidence.iter().map(|e| e.origin.to_string()).collect();
            writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td><small>{}</small></td></tr>",
                a.time.map(|t| t.to_string()).unwrap_or_default(),
                escape(&a.rule.title),
                t.score,
                escape(destination.trim()),
                escape(&command),
                escape(&origin.join(" "))
            )?;
        }
        writeln!(out, "</table></section>")?;
    }
    writeln!(out, "<p><small>whoiswatch — ATT&amp;CK T1596.002. Scores and tiers: docs/triage.md.</small></p></body></html>")
}

//! Alerts as CSV (RFC 4180 quoting), one row per alert.

use std::io::{self, Write};

use whoiswatch_triage::Report;

pub const ALERT_COLUMNS: &[&str] = &[
    "offense_id",
    "tier",
    "score",
    "suppressed_by",
    "first_seen",
    "rule_id",
    "rule_title",
    "technique",
    "source",
    "host",
    "source_ip",
    "user",
    "destination_ip",
    "destination_port",
    "destination_host",
    "process",
    "looked_up",
    "evidence",
];

pub fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

pub fn write_alerts_csv(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{}", ALERT_COLUMNS.join(","))?;
    for offense in &report.offenses {
        for &i in &offense.alerts {
            let t = &report.alerts[i];
            let a = &t.alert;
            let opt = |v: Option<String>| v.unwrap_or_default();
            let row = [
                offense.id.clone(),
                opt(offense.tier.map(|t| t.to_string())),
                t.score.to_string(),
                opt(t.suppressed_by.as_ref().map(|s| s.allowlist.clone())),
                opt(a.time.map(|t| t.to_string())),
                a.rule.id.clone(),
                a.rule.title.clone(),
                opt(a.rule.technique()),
                offense.source.clone(),
                opt(a.host.clone().or(a.reporter.clone())),
                opt(a.source_ip.map(|ip| ip.to_string())),
                opt(a.user.clone()),
                opt(a.destination_ip.map(|ip| ip.to_string())),
                opt(a.destination_port.map(|p| p.to_string())),
                opt(a.destination_host.clone()),
                opt(a.image.clone()),
                a.targets.join(" "),
                a.evidence
                    .iter()
                    .map(|e| e.origin.to_string())
                    .collect::<Vec<_>>()
                    .join(" "),
            ];
            let row: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
            writeln!(out, "{}", row.join(","))?;
        }
    }
    Ok(())
}

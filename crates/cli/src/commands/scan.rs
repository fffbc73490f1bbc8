//! `whoiswatch scan`: read logs, run the rule set on every event on the reader threads,
//! print each alert with its evidence, and summarize matches per rule.

use std::io::Write;
use std::sync::Mutex;

use serde_json::{json, Map, Value as Json};
use whoiswatch_event::{Event, FieldId};
use whoiswatch_ingest::{Consumer, ParseError};
use whoiswatch_output::{event_to_json, Table};
use whoiswatch_sigma::{CompiledRule, RuleSet, Scanner};

use super::input::{exit_code, inputs, options, ErrorPrinter};
use super::rules::{load, load_options};
use crate::args::{ScanArgs, ScanOutput};

const FLUSH_BYTES: usize = 64 * 1024;
const MAX_TABLE_ROWS: usize = 10_000;

struct ScanConsumer<'r> {
    set: &'r RuleSet,
    scanner: Scanner<'r>,
    output: ScanOutput,
    buffer: Vec<u8>,
    stdout: &'r Mutex<()>,
    per_rule: Vec<u64>,
    rows: Vec<Vec<String>>,
    errors: ErrorPrinter,
}

fn technique(rule: &CompiledRule) -> Option<String> {
    rule.meta
        .tags
        .iter()
        .find_map(|t| t.strip_prefix("attack.t"))
        .map(|t| format!("T{}", t.to_ascii_uppercase()))
}

fn text(event: &Event, id: FieldId) -> Option<String> {
    event.get(id).map(|v| v.to_string())
}

/// One alert as a JSON object; the keys are documented in docs/alerts.md.
fn alert_json(rule: &CompiledRule, event: &Event) -> Json {
    let mut object = Map::new();
    object.insert("rule_id".into(), json!(rule.meta.id));
    object.insert("rule_title".into(), json!(rule.meta.title));
    object.insert("technique".into(), json!(technique(rule)));
    object.insert("level".into(), json!(rule.meta.level.name()));
    object.insert("tags".into(), json!(rule.meta.tags));
    object.insert("host".into(), json!(event.hostname()));
    object.insert("source_ip".into(), json!(text(event, FieldId::SourceIp)));
    object.insert("user".into(), json!(text(event, FieldId::Username)));
    object.insert(
        "destination_ip".into(),
        json!(text(event, FieldId::DestinationIp)),
    );
    object.insert(
        "destination_port".into(),
        json!(event.get_i64(FieldId::DestinationPort)),
    );
    let destination_host = [
        FieldId::DnsQuery,
        FieldId::TlsSni,
        FieldId::HttpHost,
        FieldId::DestinationHostname,
    ]
    .iter()
    .find_map(|id| text(event, *id));
    object.insert("destination_host".into(), json!(destination_host));
    let seen = event.device_time().map(|t| t.to_string());
    object.insert("first_seen".into(), json!(seen));
    object.insert("last_seen".into(), json!(seen));
    object.insert(
        "evidence".into(),
        json!([event_to_json(event, None, false)]),
    );
    Json::Object(object)
}

impl ScanConsumer<'_> {
    fn flush(&mut self) {
        if self.buffer.is_empty() {
            return;
        }
        let _lock = self.stdout.lock().expect("writer lock");
        let _ = std::io::stdout().lock().write_all(&self.buffer);
        self.buffer.clear();
    }
}

impl Consumer for ScanConsumer<'_> {
    fn event(&mut self, event: Event) {
        let hits = self.scanner.scan(&event);
        if hits.is_empty() {
            return;
        }
        for &index in hits {
            // Correlations are not evaluated yet, so the rules they reference report
            // their own matches rather than vanish (whatever their `generate`).
            let rule = &self.set.rules[index];
            self.per_rule[index] += 1;
            match self.output {
                ScanOutput::Ndjson => {
                    let _ = serde_json::to_writer(&mut self.buffer, &alert_json(rule, &event));
                    self.buffer.push(b'\n');
                }
                ScanOutput::Table if self.rows.len() < MAX_TABLE_ROWS => {
                    let alert = alert_json(rule, &event);
                    let cell = |key: &str| match &alert[key] {
                        Json::Null => String::new(),
                        Json::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    self.rows.push(vec![
                        cell("first_seen"),
                        cell("level"),
                        cell("rule_title"),
                        cell("host"),
                        cell("user"),
                        cell("destination_host"),
                        cell("destination_ip"),
                        cell("destination_port"),
                    ]);
                }
                _ => {}
            }
        }
        if self.buffer.len() >= FLUSH_BYTES {
            self.flush();
        }
    }

    fn error(&mut self, error: &ParseError) {
        self.errors.print(error);
    }
}

pub fn run(args: &ScanArgs) -> anyhow::Result<u8> {
    let options = options(&args.input)?;
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
    let (inputs, listing_failed) = inputs(&args.input);
    let stdout = Mutex::new(());
    let (summary, consumers) = whoiswatch_ingest::read_all(&inputs, &options, || ScanConsumer {
        set: &set,
        scanner: set.scanner(),
        output: args.output,
        buffer: Vec::with_capacity(FLUSH_BYTES * 2),
        stdout: &stdout,
        per_rule: vec![0; set.len()],
        rows: Vec::new(),
        errors: ErrorPrinter::new(args.input.quiet),
    });
    let mut per_rule = vec![0u64; set.len()];
    let mut table = Table::new(
        [
            "time",
            "level",
            "rule",
            "host",
            "user",
            "destination",
            "dst ip",
            "port",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
    );
    let mut rows = Vec::new();
    for mut consumer in consumers {
        consumer.flush();
        for (total, n) in per_rule.iter_mut().zip(&consumer.per_rule) {
            *total += n;
        }
        rows.append(&mut consumer.rows);
    }
    if args.output == ScanOutput::Table {
        rows.sort();
        for row in rows {
            table.push(row);
        }
        let _ = table.write(&mut std::io::stdout().lock());
    }
    crate::summary::print(&summary);
    let alerts: u64 = per_rule.iter().sum();
    eprintln!("{} rules loaded, {alerts} alerts", set.len());
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

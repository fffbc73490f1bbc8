//! Data-driven AQL tests in the spirit of DataFusion's `.slt` files: each file under
//! `tests/cases/` holds events, queries and their exact expected rows. Every query runs
//! on one thread over one input and on two threads with each event its own input; both
//! must give the expected rows in the expected order.
//!
//! Format (blocks are separated by blank lines; `#` starts a comment line):
//!
//! ```text
//! now 2025-11-24T16:00:00Z          the instant time clauses and NOW() use
//! events                            lines for our parsers (QRadar-column JSON here)
//! {"starttime": 1764000000000, …}
//! reference set NAME | reference map NAME | reference table NAME
//! query [label]                     the query (several lines allowed), `----`, then
//! SELECT …                          `columns: a, b` (optional), the rows with cells
//! ----                              joined by ` | ` (NULL is `NULL`), and
//! 1 | a                             `note: text` lines the plan's notes must contain
//! error [label]                     a query that must fail: `kind L:C text`
//! SELECT FROM events
//! ----
//! syntax 1:8 expected
//! ```

mod support;

use std::path::Path;

use whoiswatch_aql::{compile, Env, ErrorKind};
use whoiswatch_event::Event;
use whoiswatch_reference::ReferenceData;

struct Runner {
    file: String,
    now: i64,
    events: Vec<Event>,
    reference: ReferenceData,
    cases: usize,
    failures: Vec<String>,
}

fn kind_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Syntax => "syntax",
        ErrorKind::Plan => "plan",
        ErrorKind::Type => "type",
        ErrorKind::Unsupported => "unsupported",
    }
}

impl Runner {
    fn fail(&mut self, line: usize, message: String) {
        self.failures
            .push(format!("{}:{line}: {message}", self.file));
    }

    fn block(&mut self, line: usize, header: &str, body: &[&str]) {
        let mut words = header.split_whitespace();
        match words.next() {
            Some("now") => {
                let text = words.next().unwrap_or_default();
                self.now = whoiswatch_event::time::parse_iso8601(text)
                    .unwrap_or_else(|| panic!("{}:{line}: bad now {text}", self.file))
                    .millis();
            }
            Some("events") => {
                let text = body.join("\n") + "\n";
                self.events = support::read_events(&format!("{}:{line}", self.file), &text);
            }
            Some("reference") => {
                let kind = words.next().unwrap_or_default();
                let name = words.next().expect("a reference name");
                let text = body.join("\n") + "\n";
                let errors = match kind {
                    "set" => {
                        self.reference.load_set(name, &text);
                        Vec::new()
                    }
                    "map" => self.reference.load_map(name, &self.file, &text),
                    "table" => self.reference.load_table(name, &self.file, &text),
                    other => panic!("{}:{line}: unknown reference kind {other}", self.file),
                };
                assert!(errors.is_empty(), "{}:{line}: {errors:?}", self.file);
            }
            Some("query") => self.query(line, body),
            Some("error") => self.error(line, body),
            other => panic!("{}:{line}: unknown block {other:?}", self.file),
        }
    }

    fn split<'b>(&self, line: usize, body: &[&'b str]) -> (String, Vec<&'b str>) {
        let sep = body
            .iter()
            .position(|l| l.trim() == "----")
            .unwrap_or_else(|| panic!("{}:{line}: a query block needs ----", self.file));
        (body[..sep].join("\n"), body[sep + 1..].to_vec())
    }

    fn query(&mut self, line: usize, body: &[&str]) {
        self.cases += 1;
        let (query, expected) = self.split(line, body);
        let plan = match compile(&query, &self.reference) {
            Ok(plan) => plan,
            Err(e) => {
                let message = e.render("query", &query);
                return self.fail(line, format!("query failed to compile:\n{message}"));
            }
        };
        let mut rows = Vec::new();
        let mut count = None;
        for text in &expected {
            if let Some(prefix) = text.strip_prefix("columns prefix: ") {
                let got = plan.columns.join(", ");
                if !got.starts_with(prefix) {
                    self.fail(line, format!("columns: expected {prefix}…, got {got}"));
                }
            } else if let Some(n) = text.strip_prefix("rows: ") {
                count = Some(n.parse::<usize>().expect("rows: N"));
            } else if let Some(columns) = text.strip_prefix("columns: ") {
                let got = plan.columns.join(", ");
                if got != columns {
                    self.fail(line, format!("columns: expected {columns}, got {got}"));
                }
            } else if let Some(note) = text.strip_prefix("note: ") {
                if !plan.notes.iter().any(|n| n.contains(note)) {
                    self.fail(
                        line,
                        format!("no note containing {note:?} in {:?}", plan.notes),
                    );
                }
            } else {
                rows.push(text.to_string());
            }
        }
        let env = Env {
            now_millis: self.now,
            reference: &self.reference,
        };
        let render = |rows: Vec<Vec<String>>| -> Vec<String> {
            rows.into_iter().map(|r| r.join(" | ")).collect()
        };
        let (single, _) = support::run_single(&plan, env, &self.events);
        let single = render(single);
        if let Some(count) = count {
            if single.len() != count {
                self.fail(
                    line,
                    format!("{query}\n  expected {count} rows, got {}", single.len()),
                );
            }
            return;
        }
        if single != rows {
            self.fail(
                line,
                format!(
                    "{query}\n  expected:\n    {}\n  got:\n    {}",
                    rows.join("\n    "),
                    single.join("\n    ")
                ),
            );
            return;
        }
        let parallel = render(support::run_parallel(&plan, env, &self.events));
        if parallel != rows {
            self.fail(
                line,
                format!(
                    "{query}\n  two threads gave:\n    {}",
                    parallel.join("\n    ")
                ),
            );
        }
    }

    fn error(&mut self, line: usize, body: &[&str]) {
        self.cases += 1;
        let (query, expected) = self.split(line, body);
        let expected = expected.first().copied().unwrap_or_default();
        let mut parts = expected.splitn(3, ' ');
        let (kind, place, text) = (
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
        );
        match compile(&query, &self.reference) {
            Ok(_) => self.fail(line, format!("{query}\n  compiled, expected {expected}")),
            Err(e) => {
                let (l, c) = e.line_column(&query);
                let got = format!("{} {l}:{c} {}", kind_name(e.kind), e.message);
                if kind_name(e.kind) != kind
                    || format!("{l}:{c}") != place
                    || !e.message.contains(text)
                {
                    self.fail(
                        line,
                        format!("{query}\n  expected {expected}\n  got      {got}"),
                    );
                }
                let rendered = e.render("q", &query);
                if !rendered.contains('^') {
                    self.fail(line, format!("no caret in {rendered}"));
                }
            }
        }
    }
}

fn run_file(path: &Path) -> (usize, Vec<String>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut runner = Runner {
        file: path.file_name().unwrap().to_string_lossy().into_owned(),
        now: 0,
        events: Vec::new(),
        reference: ReferenceData::default(),
        cases: 0,
        failures: Vec::new(),
    };
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.trim().is_empty() || line.starts_with('#') {
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        let mut body = Vec::new();
        while i < lines.len() && !lines[i].trim().is_empty() {
            if !lines[i].starts_with('#') {
                body.push(lines[i]);
            }
            i += 1;
        }
        runner.block(start + 1, line, &body);
    }
    (runner.cases, runner.failures)
}

#[test]
fn case_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "slt"))
        .collect();
    files.sort();
    let mut total = 0;
    let mut failures = Vec::new();
    for file in &files {
        let (cases, failed) = run_file(file);
        total += cases;
        failures.extend(failed);
    }
    assert!(
        failures.is_empty(),
        "{} failing:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(total >= 80, "only {total} cases in {}", dir.display());
    eprintln!("{total} AQL cases in {} files passed", files.len());
}

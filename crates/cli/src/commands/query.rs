//! `whoiswatch query`: run an AQL query over logs. The query is compiled once, each
//! reading thread evaluates its events, the executor merges in input order, rows go to
//! stdout; warnings, the run summary and the query's counts go to stderr.

use std::io::{BufWriter, IsTerminal, Stdout};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context};
use whoiswatch_aql::time_clause::Window;
use whoiswatch_aql::{Env, Executor, Owned, RowSink, Stats, Worker};
use whoiswatch_event::{Event, FieldId, Timestamp};
use whoiswatch_ingest::{Consumer, EventFilter, Input, Options, ParseError};
use whoiswatch_output::{RowFormat, RowWriter, MAX_TABLE_ROWS};
use whoiswatch_reference::ReferenceData;

use super::input::{exit_code, inputs, options, ErrorPrinter};
use crate::args::{QueryArgs, QueryOutput};

/// Exit code for an invalid query.
const INVALID_QUERY: u8 = 2;

/// Rows to stdout; a closed pipe (`| head`) ends output quietly.
struct StdoutSink {
    writer: Option<RowWriter<BufWriter<Stdout>>>,
}

impl RowSink for StdoutSink {
    fn row(&mut self, row: &[Owned]) {
        if let Some(writer) = &mut self.writer {
            if writer.row(row).is_err() {
                self.writer = None;
            }
        }
    }
}

struct QueryConsumer<'x, 'p> {
    worker: Worker<'x, 'p>,
    errors: ErrorPrinter,
}

impl Consumer for QueryConsumer<'_, '_> {
    fn event(&mut self, event: Event) {
        self.worker.push(&event);
    }

    fn rejected(&mut self, event: Event) {
        self.worker.push_rejected(&event);
    }

    fn error(&mut self, error: &ParseError) {
        self.errors.print(error);
    }

    // Per unit, not per input: a large file shared by readers merges piece by piece,
    // in file order.
    fn begin_unit(&mut self, unit: usize) {
        self.worker.begin(unit);
    }

    fn end_unit(&mut self, unit: usize) {
        self.worker.end(unit);
    }
}

/// The query's time window and WHERE clause as a reader's [`EventFilter`]: events they
/// reject arrive with only the fields they read (see [`whoiswatch_aql::Prefilter`]).
/// `WHOISWATCH_EAGER=1` turns it off (every event built in full), to compare.
#[derive(Debug)]
struct WhereFilter(whoiswatch_aql::Prefilter);

impl EventFilter for WhereFilter {
    fn reads(&self) -> &[FieldId] {
        self.0.fields()
    }

    fn wants(&self, partial: &Event) -> bool {
        self.0.wants(partial)
    }
}

/// `--now latest`'s first pass reads only the times.
#[derive(Debug)]
struct TimesOnly;

impl EventFilter for TimesOnly {
    fn reads(&self) -> &[FieldId] {
        &[FieldId::StartTime, FieldId::DeviceTime]
    }

    fn wants(&self, _partial: &Event) -> bool {
        false
    }
}

fn eager() -> bool {
    std::env::var_os("WHOISWATCH_EAGER").is_some_and(|v| v != "0")
}

/// The newest starttime over all inputs, for `--now latest`.
struct Newest {
    millis: Option<i64>,
}

impl Consumer for Newest {
    fn event(&mut self, event: Event) {
        let start = event.start_time().map(|t| t.millis());
        self.millis = self.millis.max(start);
    }

    fn error(&mut self, _error: &ParseError) {}
}

fn load_reference(args: &QueryArgs) -> anyhow::Result<ReferenceData> {
    let mut data = ReferenceData::default();
    let split = |spec: &str, flag: &str| -> anyhow::Result<(String, PathBuf)> {
        let (name, file) = spec
            .split_once('=')
            .with_context(|| format!("{flag} {spec}: expected NAME=FILE"))?;
        Ok((name.to_string(), PathBuf::from(file)))
    };
    let read = |file: &Path| {
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))
    };
    for spec in &args.reference_set {
        let (name, file) = split(spec, "--reference-set")?;
        data.load_set(&name, &read(&file)?);
    }
    for spec in &args.reference_map {
        let (name, file) = split(spec, "--reference-map")?;
        let shown = file.display().to_string();
        for error in data.load_map(&name, &shown, &read(&file)?) {
            eprintln!("{error}");
        }
    }
    for spec in &args.reference_table {
        let (name, file) = split(spec, "--reference-table")?;
        let shown = file.display().to_string();
        for error in data.load_table(&name, &shown, &read(&file)?) {
            eprintln!("{error}");
        }
    }
    Ok(data)
}

/// The query text, its name for error messages, and the paths to read.
fn query_and_paths(args: &QueryArgs) -> anyhow::Result<(String, String, Vec<PathBuf>)> {
    let mut positional = args.positional.iter();
    let (text, name) = match &args.file {
        Some(file) => (
            std::fs::read_to_string(file)
                .with_context(|| format!("cannot read query file {}", file.display()))?,
            file.display().to_string(),
        ),
        None => match positional.next() {
            Some(text) => (text.clone(), "query".to_string()),
            None => bail!("give a query (or --file QUERY.aql) and the logs to read"),
        },
    };
    Ok((text, name, positional.map(PathBuf::from).collect()))
}

fn parse_now(text: &str) -> anyhow::Result<i64> {
    if let Ok(millis) = text.trim().parse::<i64>() {
        return Ok(millis);
    }
    whoiswatch_event::time::parse_iso8601(text)
        .map(|t| t.millis())
        .with_context(|| {
            format!("--now {text}: expected an ISO 8601 instant, epoch milliseconds or `latest`")
        })
}

fn instant(millis: i64) -> String {
    Timestamp::from_millis(millis).to_string()
}

/// `--now latest`: one pass over the inputs for the newest starttime.
fn newest_event(inputs: &[Input], options: &Options) -> anyhow::Result<Option<i64>> {
    if inputs.iter().any(|i| matches!(i, Input::Stdin)) {
        bail!("--now latest reads the inputs twice and cannot be used with stdin");
    }
    let quiet = Options {
        strict: false,
        filter: (!eager()).then(|| Arc::new(TimesOnly) as Arc<dyn EventFilter>),
        ..options.clone()
    };
    let (_, consumers) = whoiswatch_ingest::read_all(inputs, &quiet, || Newest { millis: None });
    Ok(consumers.into_iter().filter_map(|c| c.millis).max())
}

fn report(stats: &Stats, window: Option<Window>, explicit_now: bool) {
    eprintln!(
        "query: {} events read, {} in the time window, {} matched, {} rows",
        stats.read, stats.in_window, stats.matched, stats.rows
    );
    if stats.limit_reached {
        eprintln!("query: LIMIT reached; later events were read but not evaluated");
    }
    if let Some(window) = window.filter(|_| stats.read > 0 && stats.in_window == 0) {
        let newest = match stats.newest {
            Some(newest) => format!(
                "the newest event's starttime is {}; try --now latest or --now {}",
                instant(newest),
                instant(newest)
            ),
            None => "no event carries a time".to_string(),
        };
        let clock = if explicit_now { "--now" } else { "the clock" };
        eprintln!(
            "query: the time window {} .. {} (from {clock}) holds none of the {} events read: \
             {newest}",
            instant(window.from),
            instant(window.to),
            stats.read
        );
    }
    if stats.without_time > 0 {
        eprintln!(
            "query: {} events carry no time and are outside every time window",
            stats.without_time
        );
    }
}

pub fn run(args: &QueryArgs) -> anyhow::Result<u8> {
    let (text, name, paths) = query_and_paths(args)?;
    let reference = load_reference(args)?;
    let plan = match whoiswatch_aql::compile(&text, &reference) {
        Ok(plan) => plan,
        Err(error) => {
            eprintln!("{}", error.render(&name, &text));
            return Ok(INVALID_QUERY);
        }
    };
    let mut options = options(&args.read)?;
    // Results merge per unit in file order (see `QueryConsumer`), so large files may be
    // shared by several readers with the one-thread answer.
    options.split_large_files = true;
    let (inputs, listing_failed) = inputs(&paths);
    let now = match args.now.as_deref() {
        Some("latest") if args.explain => Timestamp::now().millis(),
        Some("latest") => {
            newest_event(&inputs, &options)?.unwrap_or_else(|| Timestamp::now().millis())
        }
        Some(text) => parse_now(text)?,
        None => Timestamp::now().millis(),
    };
    let window = plan.time.as_ref().map(|t| t.window(now));
    if !eager() {
        options.filter = whoiswatch_aql::Prefilter::new(&plan, window, now)
            .map(|p| Arc::new(WhereFilter(p)) as Arc<dyn EventFilter>);
    }
    if args.explain {
        print!("{}", whoiswatch_aql::explain(&plan, window));
        return Ok(0);
    }
    if paths.is_empty() {
        bail!("give the logs to query: files, directories, or - for stdin");
    }
    for note in &plan.notes {
        eprintln!("{name}: note: {note}");
    }
    let stdout = std::io::stdout();
    let format = match args.output {
        Some(QueryOutput::Table) => Some(RowFormat::Table),
        Some(QueryOutput::Csv) => Some(RowFormat::Csv),
        Some(QueryOutput::Json) => Some(RowFormat::Json),
        Some(QueryOutput::Ndjson) => Some(RowFormat::Ndjson),
        Some(QueryOutput::None) => None,
        None if stdout.is_terminal() => Some(RowFormat::Table),
        None => Some(RowFormat::Ndjson),
    };
    let writer = match format {
        Some(format) => RowWriter::new(
            format,
            plan.columns.clone(),
            BufWriter::with_capacity(64 * 1024, stdout),
        )
        .ok(),
        None => None,
    };
    let mut sink = StdoutSink { writer };
    let env = Env {
        now_millis: now,
        reference: &reference,
    };
    let (summary, stats) = {
        let executor = Executor::new(&plan, env, &mut sink);
        let (summary, consumers) =
            whoiswatch_ingest::read_all(&inputs, &options, || QueryConsumer {
                worker: executor.worker(),
                errors: ErrorPrinter::new(args.read.quiet),
            });
        drop(consumers);
        (summary, executor.finish())
    };
    if let Some(writer) = sink.writer.take() {
        let dropped = writer.dropped;
        let _ = writer.finish();
        if dropped > 0 {
            eprintln!(
                "query: the table shows the first {MAX_TABLE_ROWS} rows; {dropped} more \
                 (use -o csv or -o ndjson)"
            );
        }
    }
    crate::summary::print(&summary);
    report(&stats, window, args.now.is_some());
    Ok(exit_code(&summary, listing_failed))
}

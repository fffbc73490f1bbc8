//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "whoiswatch",
    version,
    about = "Detect WHOIS and RDAP reconnaissance (ATT&CK T1596.002) in an organisation's logs"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Parse and normalize logs only: show what the engine sees, with per-file counts.
    #[command(after_help = "\
Examples:
  whoiswatch events examples/                      every event, as NDJSON
  whoiswatch events --output table --fields devicetime,hostname,Image,DestinationPort logs/
  zcat conn.log.gz | whoiswatch events -           stdin (compression is detected)
  whoiswatch events --output none --strict logs/   check that every record parses

Exit codes:
  0  the run completed (skipped records are counted in the summary on stderr)
  1  an input could not be opened or read at all
  2  bad arguments
  3  --strict stopped at the first malformed record")]
    Events(EventsArgs),
    /// Run Sigma rules (the built-in T1596.002 pack, or --rules) over logs; print alerts.
    #[command(after_help = "\
Examples:
  whoiswatch scan examples/                        the built-in WHOIS/RDAP pack
  whoiswatch scan --config examples/whoiswatch.yml examples/
                                                   with allowlists, intel and policy
  whoiswatch scan -c org.yml -o html logs/ > report.html
  whoiswatch scan -o ndjson logs/ > alerts.ndjson  one alert per line (docs/alerts.md)
  whoiswatch scan --rules sigma/rules logs/        your own Sigma rules instead
  whoiswatch scan -r my-rules --with-builtin -o csv logs/ > alerts.csv
  whoiswatch scan -r rules --placeholder Admins=admins.txt logs/
  whoiswatch scan --compare-seed examples/scenario/ what the seed's AQL would miss

Exit codes: as for `events`; rules that cannot be loaded are listed and skipped
(2 when none load).")]
    Scan(ScanArgs),
    /// Rule tools: `rules check DIR` loads and validates rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Print the canonical fields, their aliases and types (the source of docs/schema.md).
    Fields,
    /// Run an IBM QRadar AQL query over logs (docs/query.md).
    #[command(
        override_usage = "whoiswatch query [OPTIONS] <AQL> <PATHS>...\n       \
                          whoiswatch query [OPTIONS] --file <QUERY.aql> <PATHS>...\n       \
                          whoiswatch query --explain <AQL>",
        after_help = "\
Examples:
  whoiswatch query --file content/queries/t1596_002_whois.aql --now latest examples/
  whoiswatch query \"SELECT sourceip, COUNT(*) AS n FROM events WHERE destinationport = 43
                   GROUP BY sourceip ORDER BY n DESC LIMIT 10\" logs/
  whoiswatch query -o csv \"SELECT * FROM events WHERE LOWER(username) = 'admin'\" logs/
  whoiswatch query --reference-set Analysts=analysts.txt \\
      \"SELECT username FROM events WHERE NOT REFERENCESETCONTAINS('Analysts', username)\" logs/
  whoiswatch query --explain --file rule.aql       check a query without running it

Time: a time clause (LAST 24 HOURS, START '…' STOP '…') is measured against --now
(default: the clock). Without a time clause every event is read.

Exit codes:
  0  the query ran (or, with --explain, is valid)
  1  an input could not be read at all
  2  the query is invalid, or bad arguments
  3  --strict stopped at the first malformed record"
    )]
    Query(QueryArgs),
    /// Write the telemetry the seed's four tests leave (and an edge case, false
    /// positives, background) in every format that records it; or, with --events N, a
    /// large mixed corpus for benchmarks.
    #[command(after_help = "\
Examples:
  whoiswatch simulate --out sim/                   every behaviour, every format
  whoiswatch simulate --out sim/ --behaviour test-2 --windows-host LAPTOP-7 --seed 42
  whoiswatch scan --config sim/whoiswatch.yml sim/ the detection on what it wrote
  whoiswatch simulate --events 10000000 --out corpus.ndjson
                                                   a mixed NDJSON corpus (streamed)

The layout (one directory per behaviour, one file per log source) is in
docs/testing.md.")]
    Simulate(SimulateArgs),
    /// Check the detection against the seed's four tests: on simulated telemetry (PASS
    /// or FAIL per test and evidence source), or on real logs captured during a test.
    #[command(after_help = "\
Examples:
  whoiswatch validate                              simulate → scan, every test and source
  whoiswatch validate --disable-rule net_connection_whois_port43
                                                   what fails without one rule
  whoiswatch validate --test 2 captured-logs/      real logs of a team's exercise:
                                                   which signals are there, which were
                                                   detected, which telemetry is missing
  whoiswatch validate --navigator layer.json       also write an ATT&CK Navigator layer

Exit codes:
  0  every line passed (with --test: every signal present was detected)
  1  a line failed (with --test: a signal present was not detected, or none was found)
  2  bad arguments")]
    Validate(ValidateArgs),
}

/// Hosts, users, addresses, time and seed of the simulated telemetry.
#[derive(Args, Debug)]
pub struct SimulationArgs {
    /// The same seed writes the same bytes.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// When the first behaviour starts (ISO 8601).
    #[arg(long, default_value = "2026-11-24T09:00:00Z")]
    pub start: String,
    #[arg(long, default_value = "WS-FIN07.corp.example.com")]
    pub windows_host: String,
    #[arg(long, default_value = "EXAMPLE\\jsmith")]
    pub windows_user: String,
    #[arg(long, default_value = "10.1.4.27")]
    pub windows_ip: std::net::IpAddr,
    #[arg(long, default_value = "dev03")]
    pub linux_host: String,
    #[arg(long, default_value = "rlee")]
    pub linux_user: String,
    #[arg(long, default_value = "10.1.6.33")]
    pub linux_ip: std::net::IpAddr,
    /// The domain the lookups ask about.
    #[arg(long, default_value = "example.com")]
    pub domain: String,
    /// The network the RDAP lookup asks about.
    #[arg(long, default_value = "198.51.100.0")]
    pub network: String,
}

#[derive(Args, Debug)]
pub struct SimulateArgs {
    /// The directory to write (created if needed); with --events, the corpus file (`-`
    /// for stdout).
    #[arg(long, short)]
    pub out: PathBuf,
    /// Only these behaviours: test-1 … test-4, edge-whois-other-port, extra-netcat,
    /// extra-rdap-http, false-positives, background (repeatable; default all).
    #[arg(long)]
    pub behaviour: Vec<String>,
    /// Write a mixed NDJSON corpus of about this many events instead.
    #[arg(long)]
    pub events: Option<u64>,
    #[command(flatten)]
    pub simulation: SimulationArgs,
}

#[derive(Args, Debug)]
pub struct ValidateArgs {
    /// With PATHS: check real logs captured while performing this seed test (1–4).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=4))]
    pub test: Option<u8>,
    /// Real logs for --test: files or directories.
    pub paths: Vec<PathBuf>,
    /// Write an ATT&CK Navigator layer of the T1596.002 coverage here.
    #[arg(long)]
    pub navigator: Option<PathBuf>,
    #[command(flatten)]
    pub rules: RuleArgs,
    #[command(flatten)]
    pub simulation: SimulationArgs,
    #[command(flatten)]
    pub read: ReadArgs,
}

#[derive(Args, Debug)]
pub struct InputArgs {
    /// Files, directories (read recursively) or `-` for stdin. gzip, zstd, zip and tar
    /// are opened; the format of each file is sniffed.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub read: ReadArgs,
}

/// How inputs are read (everything but the paths).
#[derive(Args, Debug)]
pub struct ReadArgs {
    /// Read every file as this format instead of sniffing.
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(whoiswatch_ingest::Format::NAMES))]
    pub format: Option<String>,
    /// Stop at the first malformed record (exit code 3).
    #[arg(long)]
    pub strict: bool,
    /// Worker threads (default: one per core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Syslog dates without a year are placed at or before this instant (ISO 8601).
    #[arg(long)]
    pub reference_time: Option<String>,
    /// Windows DNS debug dates put the day first (25/12/2026).
    #[arg(long)]
    pub day_first: bool,
    /// Longest record accepted, in bytes.
    #[arg(long, default_value_t = 16 * 1024 * 1024)]
    pub max_record_bytes: usize,
    /// Print no per-record error lines (the summary still counts them).
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Args, Debug)]
pub struct QueryArgs {
    /// The query (unless --file is given), then files, directories or `-` for stdin.
    #[arg(value_name = "AQL_AND_PATHS")]
    pub positional: Vec<String>,
    /// Read the query from this file.
    #[arg(long, short)]
    pub file: Option<PathBuf>,
    /// The instant time clauses and NOW() are measured from: ISO 8601, epoch
    /// milliseconds, or `latest` for the newest event's starttime.
    #[arg(long)]
    pub now: Option<String>,
    /// How to print rows (default: table on a terminal, ndjson otherwise).
    #[arg(long, short, value_enum)]
    pub output: Option<QueryOutput>,
    /// Parse and plan only: print the plan and how each field resolved.
    #[arg(long)]
    pub explain: bool,
    /// A reference set for REFERENCESETCONTAINS: NAME=FILE, one value a line.
    #[arg(long, value_name = "NAME=FILE")]
    pub reference_set: Vec<String>,
    /// A reference map for REFERENCEMAP: NAME=FILE, CSV `key,value`.
    #[arg(long, value_name = "NAME=FILE")]
    pub reference_map: Vec<String>,
    /// A reference table for REFERENCETABLE: NAME=FILE, CSV with a header; the first
    /// column is the key.
    #[arg(long, value_name = "NAME=FILE")]
    pub reference_table: Vec<String>,
    #[command(flatten)]
    pub read: ReadArgs,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryOutput {
    Table,
    Csv,
    Json,
    Ndjson,
    /// Only the summary.
    None,
}

#[derive(Args, Debug)]
pub struct EventsArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// How to print events.
    #[arg(long, short, value_enum, default_value_t = EventsOutput::Ndjson)]
    pub output: EventsOutput,
    /// Columns to show, by any field name or alias (`destinationport`, `DestinationPort`, `dpt`).
    #[arg(long, value_delimiter = ',')]
    pub fields: Vec<String>,
    /// Include the raw record (`payload`) in JSON output.
    #[arg(long)]
    pub payload: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventsOutput {
    Ndjson,
    Json,
    Table,
    /// Only the summary.
    None,
}

#[derive(Args, Debug)]
pub struct RuleArgs {
    /// Sigma rules: a file or directory (repeatable). Without it the built-in T1596.002
    /// pack runs.
    #[arg(long = "rules", short = 'r')]
    pub rules: Vec<PathBuf>,
    /// Also run the built-in pack when --rules is given.
    #[arg(long)]
    pub with_builtin: bool,
    /// A field mapping file (`fieldmappings:` Sigma name → whoiswatch name), added to the
    /// built-in mapping.
    #[arg(long)]
    pub mapping: Vec<PathBuf>,
    /// Values for a `%name%` placeholder of the `expand` modifier: NAME=FILE, one value a
    /// line (repeatable).
    #[arg(long, value_name = "NAME=FILE")]
    pub placeholder: Vec<String>,
    /// Switch a rule off: its id, file name without `.yml`, or title (repeatable).
    #[arg(long, value_name = "RULE")]
    pub disable_rule: Vec<String>,
}

#[derive(Args, Debug)]
pub struct ScanArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub rules: RuleArgs,
    /// How to print the result: offenses as a table, one alert per line (ndjson), the
    /// whole report (json), alerts as csv, or a self-contained HTML report.
    #[arg(long, short, value_enum, default_value_t = ScanOutput::Table)]
    pub output: ScanOutput,
    /// The organisation's context: own domains and networks, allowlists, threat-intel
    /// feeds, escalation policy (see docs/triage.md).
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    /// List offenses suppressed by an allowlist in the table and report (they are always
    /// counted, and always in ndjson, json and csv).
    #[arg(long)]
    pub show_suppressed: bool,
    /// Judge allowlist expiry at this instant (ISO 8601) instead of the wall clock.
    #[arg(long)]
    pub now: Option<String>,
    /// Also run the seed's QRadar query (content/queries/t1596_002_whois.aql) on the same
    /// events and show, after the result, what the pack finds that the query misses and
    /// the reverse. Its LAST 24 HOURS ends at --now, else at the newest event.
    #[arg(long)]
    pub compare_seed: bool,
    /// Write every loaded rule's match count to FILE (TSV: matches, rule id, title, rule
    /// file; zeros included, in rule-file order), to see what a change of rules, data or
    /// engine moved.
    #[arg(long, value_name = "FILE")]
    pub rule_counts: Option<PathBuf>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScanOutput {
    Table,
    Ndjson,
    Json,
    Csv,
    Html,
    /// Only the summary.
    None,
}

#[derive(Subcommand, Debug)]
pub enum RulesCommand {
    /// Load rules, print counts, and list every rule that cannot be loaded with its file
    /// and reason; exits 1 when any fails.
    Check(RulesCheckArgs),
}

#[derive(Args, Debug)]
pub struct RulesCheckArgs {
    /// Rule files or directories (default: the built-in pack).
    pub paths: Vec<PathBuf>,
    #[arg(long)]
    pub mapping: Vec<PathBuf>,
    #[arg(long, value_name = "NAME=FILE")]
    pub placeholder: Vec<String>,
}

//! Parse + normalize throughput per format, one thread, each beside its baseline:
//! NDJSON against `serde_json::Value` per line, EVTX against the `evtx` crate iterating
//! records alone. Inputs come from ../shared/data when present (CI), else from the
//! fixtures in tests/fixtures repeated to a few MB.
//!
//! `cargo bench -p whoiswatch-ingest --bench parse`

use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use whoiswatch_event::Event;
use whoiswatch_ingest::{read_input, Consumer, Input, Options, ParseError};

struct Count(u64);

impl Consumer for Count {
    fn event(&mut self, _event: Event) {
        self.0 += 1;
    }
    fn error(&mut self, _error: &ParseError) {}
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn scratch(name: &str) -> PathBuf {
    let dir = root().join("target/bench-inputs");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir.join(name)
}

/// `tests/fixtures/<fixture>` repeated until the file holds about `bytes`.
fn repeated(fixture: &str, name: &str, bytes: usize) -> PathBuf {
    repeated_file(&root().join("tests/fixtures").join(fixture), name, bytes)
}

/// `examples/<example>` repeated until the file holds about `bytes`.
fn repeated_examples(example: &str, name: &str, bytes: usize) -> PathBuf {
    repeated_file(&root().join("examples").join(example), name, bytes)
}

fn repeated_file(source: &Path, name: &str, bytes: usize) -> PathBuf {
    let path = scratch(name);
    let text = std::fs::read(source).expect("bench input");
    let mut out = std::fs::File::create(&path).expect("scratch file");
    let mut written = 0;
    while written < bytes {
        out.write_all(&text).expect("write");
        written += text.len();
    }
    path
}

/// A Sysmon NXLog NDJSON file: the largest member of one OTRF archive, or the fixtures.
fn ndjson_input() -> PathBuf {
    let archive = root().join(
        "../shared/data/otrf/atomic/windows/lateral_movement/host/covenant_dcom_iertutil_dll_hijack.zip",
    );
    if let Ok(file) = std::fs::File::open(&archive) {
        let mut zip = zip::ZipArchive::new(file).expect("zip");
        let path = scratch("otrf.json");
        let mut member = zip.by_index(0).expect("member");
        let mut text = Vec::new();
        member.read_to_end(&mut text).expect("unzip");
        std::fs::write(&path, text).expect("write");
        return path;
    }
    eprintln!("../shared absent: NDJSON bench uses repeated fixtures");
    let a = repeated("sysmon3_otrf-nxlog.json", "ndjson-a.json", 4 << 20);
    let b = std::fs::read(repeated(
        "sysmon22_otrf-nxlog.json",
        "ndjson-b.json",
        4 << 20,
    ))
    .expect("read");
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&a)
        .expect("open");
    file.write_all(&b).expect("append");
    a
}

fn evtx_input() -> Option<PathBuf> {
    // The largest attack sample.
    let dir = root().join("../shared/data/evtx/evtx-attack-samples");
    walk(&dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "evtx"))
        .max_by_key(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else {
                out.push(path);
            }
        }
    }
    out
}

fn one_thread() -> Options {
    Options {
        threads: 1,
        ..Options::default()
    }
}

fn ours(path: &Path) -> u64 {
    let mut count = Count(0);
    let (_, stop) = read_input(&Input::File(path.to_path_buf()), &one_thread(), &mut count);
    assert!(stop.is_none());
    count.0
}

fn serde_value_lines(path: &Path) -> u64 {
    let mut reader =
        std::io::BufReader::with_capacity(256 * 1024, std::fs::File::open(path).expect("input"));
    let mut line = Vec::new();
    let mut count = 0;
    while reader.read_until(b'\n', &mut line).expect("read") > 0 {
        if serde_json::from_slice::<serde_json::Value>(&line).is_ok() {
            count += 1;
        }
        line.clear();
    }
    count
}

fn evtx_crate(path: &Path) -> u64 {
    let parser = evtx::EvtxParser::from_path(path).expect("evtx");
    let mut parser = parser.with_configuration(evtx::ParserSettings::new().num_threads(1));
    parser.records_json().filter(|r| r.is_ok()).count() as u64
}

/// A baseline's label and the function that reads the input with it.
type Baseline = (&'static str, fn(&Path) -> u64);

fn bench_group(c: &mut Criterion, name: &str, path: &Path, baseline: Option<Baseline>) {
    let bytes = std::fs::metadata(path).expect("input").len();
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Bytes(bytes));
    group.sample_size(10);
    group.bench_function("whoiswatch", |b| b.iter(|| ours(path)));
    if let Some((label, baseline)) = baseline {
        group.bench_function(label, |b| b.iter(|| baseline(path)));
    }
    group.finish();
}

fn formats(c: &mut Criterion) {
    let ndjson = ndjson_input();
    bench_group(
        c,
        "ndjson-nxlog",
        &ndjson,
        Some(("serde_json-Value", serde_value_lines)),
    );
    if let Some(evtx) = evtx_input() {
        bench_group(c, "evtx", &evtx, Some(("evtx-crate", evtx_crate)));
    } else {
        eprintln!("../shared absent: no EVTX bench");
    }
    let zeek = repeated("zeek_ssl_tsv_zed.log", "zeek-ssl.log", 4 << 20);
    bench_group(c, "zeek-tsv", &zeek, None);
    let zeek_json = repeated("zeek_conn_otrf-json.log", "zeek-conn.json", 4 << 20);
    bench_group(c, "zeek-json", &zeek_json, None);
    let auditd = repeated("shell-proc-trace-reordered.txt", "auditd.log", 4 << 20);
    bench_group(c, "auditd", &auditd, None);
    let syslog = repeated_examples("linux-syslog.log", "syslog.log", 4 << 20);
    bench_group(c, "syslog-family", &syslog, None);
    let xml = repeated("sysmon3_evtx-crate.xml", "sysmon3.xml", 4 << 20);
    bench_group(c, "windows-xml", &xml, None);
}

criterion_group!(benches, formats);
criterion_main!(benches);

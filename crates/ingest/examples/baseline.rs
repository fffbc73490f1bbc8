//! Baselines for `bench/run.sh`, measured on the same input as whoiswatch in the same run:
//!
//! - `baseline ndjson FILE...`: parse each line into a `serde_json::Value`, nothing more.
//! - `baseline evtx FILE...`: iterate the records of each EVTX file with the `evtx` crate
//!   (rendered to JSON, as whoiswatch consumes them), on one thread.
//!
//! Prints the number of records read, so the script can check both sides saw the same.

use std::io::BufRead;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((mode, files)) = args.split_first() else {
        eprintln!("usage: baseline ndjson|evtx FILE...");
        std::process::exit(2);
    };
    let mut records = 0u64;
    for file in files {
        match mode.as_str() {
            "ndjson" => records += ndjson(file),
            "evtx" => records += evtx(file),
            other => {
                eprintln!("unknown baseline {other}");
                std::process::exit(2);
            }
        }
    }
    println!("{records}");
}

fn ndjson(file: &str) -> u64 {
    let reader = std::io::BufReader::with_capacity(
        256 * 1024,
        std::fs::File::open(file).expect("readable input"),
    );
    let mut count = 0;
    let mut line = Vec::new();
    let mut reader = reader;
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        if serde_json::from_slice::<serde_json::Value>(&line).is_ok() {
            count += 1;
        }
    }
    count
}

fn evtx(file: &str) -> u64 {
    let Ok(parser) = evtx::EvtxParser::from_path(file) else {
        return 0;
    };
    let settings = evtx::ParserSettings::new().num_threads(1);
    let mut parser = parser.with_configuration(settings);
    parser.records_json().filter(|r| r.is_ok()).count() as u64
}

//! What the binary's end-to-end tests share: running `whoiswatch` from the repository
//! root, and reading its NDJSON output. (Each test file uses what it needs.)
#![allow(dead_code)]

use std::process::{Command, Output};

/// `whoiswatch ARGS…`, run from the repository root.
pub fn whoiswatch(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_whoiswatch"))
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .args(args)
        .output()
        .unwrap()
}

/// One JSON value per line of `text`.
pub fn ndjson(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// `whoiswatch scan -o ndjson ARGS…`: the alerts and stderr; the run must succeed.
pub fn scan_alerts(args: &[&str]) -> (Vec<serde_json::Value>, String) {
    let mut all = vec!["scan", "-o", "ndjson"];
    all.extend_from_slice(args);
    let output = whoiswatch(&all);
    let stderr = String::from_utf8(output.stderr.clone()).unwrap();
    assert!(output.status.success(), "{stderr}");
    (ndjson(&String::from_utf8(output.stdout).unwrap()), stderr)
}

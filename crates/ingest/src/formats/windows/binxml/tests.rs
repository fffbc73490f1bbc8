//! The BinXML reader against the `evtx` crate's own XML rendering, record by record: the
//! same header values and the same EventData, and our XML reads back to the same record.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use evtx::{EvtxParser, ParserSettings};

use super::read_record;
use crate::formats::windows::record::{parse_event_xml, WinRecord};

type Flat = (
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Vec<(String, String)>,
);

fn flat(r: &WinRecord<'_>) -> Flat {
    let s = |v: &Option<std::borrow::Cow<'_, str>>| v.as_deref().map(str::to_owned);
    (
        s(&r.provider),
        r.event_id,
        s(&r.channel),
        s(&r.computer),
        r.time.map(|t| t.to_string()),
        r.record_id,
        r.level,
        s(&r.user_sid),
        r.data
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

/// The crate's XML escapes C0 controls as `_`; compare on that footing.
fn crate_escaped(mut f: Flat) -> Flat {
    let fix = |s: &mut String| {
        if s.bytes()
            .any(|b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
        {
            *s = s
                .chars()
                .map(|c| {
                    if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') {
                        '_'
                    } else {
                        c
                    }
                })
                .collect();
        }
    };
    for (k, v) in &mut f.8 {
        fix(k);
        fix(v);
    }
    f
}

#[derive(Default, Debug)]
struct Tally {
    records: usize,
    fast: usize,
    mismatches: Vec<String>,
}

fn compare_file(path: &Path, tally: &mut Tally) {
    let Ok(mut parser) = EvtxParser::from_path(path) else {
        return;
    };
    let settings = Arc::new(ParserSettings::new().num_threads(1));
    for chunk in parser.chunks() {
        let Ok(mut chunk) = chunk else { continue };
        let Ok(mut chunk) = chunk.parse(settings.clone()) else {
            continue;
        };
        let templates = std::cell::RefCell::default();
        for record in chunk.iter() {
            let Ok(record) = record else { continue };
            tally.records += 1;
            let chunk = super::Chunk {
                data: record.chunk.data,
                header: record.chunk.header,
                templates: &templates,
            };
            let start = record.binxml_offset as usize;
            let binxml = start..start + record.binxml_size as usize;
            let fast = read_record(chunk, binxml, |r, xml| (flat(r), xml.to_owned()));

            let id = record.event_record_id;
            let Ok(reference) = record.into_xml() else {
                continue;
            };
            let Some((ours, xml)) = fast else { continue };
            tally.fast += 1;
            let Ok(expected) = parse_event_xml(&reference.data) else {
                continue;
            };
            let mut problems = Vec::new();
            if crate_escaped(ours.clone()) != flat(&expected) {
                problems.push(format!("{:?}\n  crate: {:?}", ours, flat(&expected)));
            }
            match parse_event_xml(&xml) {
                Ok(back) if flat(&back) == ours => {}
                Ok(back) => problems.push(format!(
                    "our XML reads back as {:?}\n ours {:?}\n{xml}",
                    flat(&back),
                    ours
                )),
                Err(e) => problems.push(format!("our XML does not read back: {e}\n{xml}")),
            }
            if !problems.is_empty() && tally.mismatches.len() < 5 {
                tally.mismatches.push(format!(
                    "{} record {id}: {}",
                    path.display(),
                    problems.join("; ")
                ));
            }
        }
    }
}

fn evtx_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            evtx_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "evtx") {
            out.push(path);
        }
    }
}

#[test]
fn binxml_reading_agrees_with_the_evtx_crates_rendering() {
    compare_all(false);
}

#[test]
fn the_tree_walk_agrees_with_the_evtx_crates_rendering_too() {
    super::WALK_ONLY.with(|walk| walk.set(true));
    compare_all(true);
}

fn compare_all(walk_only: bool) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = vec![
        root.join("examples/windows-attrib-sysmon.evtx"),
        root.join("crates/cli/tests/fixtures/correlation/kerberos_pwd_spray_4771.evtx"),
    ];
    let shared = root.join("../shared/data/evtx");
    if shared.is_dir() {
        evtx_files(&shared, &mut files);
    } else {
        eprintln!(
            "SKIPPED part: ../shared/data/evtx is absent; only the bundled EVTX files are compared"
        );
    }
    files.sort();
    let mut tally = Tally::default();
    for file in &files {
        compare_file(file, &mut tally);
    }
    eprintln!(
        "{} files, {} records, {} read from BinXML (walk only: {walk_only})",
        files.len(),
        tally.records,
        tally.fast
    );
    assert!(
        tally.mismatches.is_empty(),
        "{}",
        tally.mismatches.join("\n")
    );
    // Nearly every record takes the BinXML path (the rest are rendered by the crate).
    assert!(
        tally.fast * 100 >= tally.records * 99,
        "only {} of {} records read from BinXML",
        tally.fast,
        tally.records
    );
}

//! Real AQL written by others (see tests/corpus/README.md): every query marked valid
//! parses and plans; every query marked invalid fails with a located error containing
//! the expected text. Nothing panics.

use std::path::Path;

use whoiswatch_aql::compile;
use whoiswatch_reference::ReferenceData;

struct Block {
    file: String,
    line: usize,
    expect: Option<String>,
    query: String,
}

fn blocks(path: &Path) -> Vec<Block> {
    let text = std::fs::read_to_string(path).unwrap();
    let file = path.file_name().unwrap().to_string_lossy().into_owned();
    let mut out: Vec<Block> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(header) = line.strip_prefix("--- ") {
            let expect = match header.strip_prefix("invalid: ") {
                Some(text) => Some(text.to_string()),
                None => {
                    assert_eq!(header, "valid", "{file}:{}", i + 1);
                    None
                }
            };
            out.push(Block {
                file: file.clone(),
                line: i + 2,
                expect,
                query: String::new(),
            });
        } else if let Some(block) = out.last_mut() {
            block.query.push_str(line);
            block.query.push('\n');
        }
    }
    out
}

#[test]
fn public_queries_parse_or_fail_clearly() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "aql"))
        .collect();
    files.sort();
    let reference = ReferenceData::default();
    let (mut valid, mut invalid, mut failures) = (0, 0, Vec::new());
    for file in &files {
        for block in blocks(file) {
            let place = format!("{}:{}", block.file, block.line);
            let result = std::panic::catch_unwind(|| compile(&block.query, &reference));
            let Ok(result) = result else {
                failures.push(format!("{place}: panicked"));
                continue;
            };
            match (&block.expect, result) {
                (None, Ok(_)) => valid += 1,
                (None, Err(e)) => failures.push(format!(
                    "{place}: should be valid:\n{}",
                    e.render("query", &block.query)
                )),
                (Some(text), Ok(_)) => {
                    failures.push(format!("{place}: should fail with {text:?} but planned"))
                }
                (Some(text), Err(e)) => {
                    let rendered = e.render("query", &block.query);
                    if rendered.contains(text.as_str()) && rendered.contains('^') {
                        invalid += 1;
                    } else {
                        failures.push(format!("{place}: expected {text:?} in:\n{rendered}"));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(valid + invalid >= 50, "{valid} valid + {invalid} invalid");
    eprintln!("corpus: {valid} valid queries planned, {invalid} invalid ones failed clearly");
}

#[test]
fn the_reference_document_lists_every_function() {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/query.md"))
            .unwrap();
    let table = whoiswatch_aql::functions::functions_markdown();
    assert!(
        doc.contains(&table),
        "docs/query.md must contain this function table:\n{table}"
    );
}

#[test]
#[ignore = "prints the function table for docs/query.md"]
fn print_function_table() {
    print!("{}", whoiswatch_aql::functions::functions_markdown());
}

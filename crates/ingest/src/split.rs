//! One large NDJSON file read by several workers: cut into byte ranges at line
//! boundaries, each range parsed on its own with its lines numbered as in the whole file.
//! Only plain (uncompressed) NDJSON qualifies: each line is a record of its own, so no
//! state crosses a cut — except the parts of a PowerShell script block, so a cut is moved
//! past any line that continues one. Consumers that need a file's events in order (`events` output)
//! do not ask for it ([`crate::Options::split_large_files`]).

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;

use crate::emit::{Consumer, Emitter, Stop};
use crate::error::ErrorKind;
use crate::formats::{json, sniff, Format};
use crate::input::Magic;
use crate::options::Options;
use crate::summary::FileSummary;

/// Files smaller than this are read whole.
pub(crate) const SPLIT_MIN_BYTES: u64 = 64 << 20;
/// How far past a cut point a line end is looked for.
const SEARCH_BYTES: usize = 1 << 20;

/// Byte ranges `[start, end)` that cut `path` at line ends into about `parts` pieces,
/// or `None` when the file is not large, plain NDJSON.
pub(crate) fn ranges(path: &Path, options: &Options, parts: usize) -> Option<Vec<(u64, u64)>> {
    // Most inputs are small: decide on the metadata before opening anything.
    let length = std::fs::metadata(path).ok().filter(|m| m.is_file())?.len();
    if parts < 2 || length < SPLIT_MIN_BYTES {
        return None;
    }
    let mut file = File::open(path).ok()?;
    let mut head = vec![0u8; 64 * 1024];
    let read = file.read(&mut head).ok()?;
    head.truncate(read);
    let format = options.format.unwrap_or_else(|| sniff(&head));
    if Magic::of(&head) != Magic::Other
        || head.contains(&0)
        || format != Format::Json
        || json::is_document(&head)
    {
        return None;
    }
    let mut cuts = vec![0];
    let mut window = vec![0u8; SEARCH_BYTES];
    for k in 1..parts as u64 {
        let at = length * k / parts as u64;
        if at <= *cuts.last().expect("starts at 0") {
            continue;
        }
        file.seek(SeekFrom::Start(at)).ok()?;
        let read = file.read(&mut window).ok()?;
        let window = &window[..read];
        let Some(end) = memchr::memchr(b'\n', window) else {
            continue;
        };
        // Do not cut between the parts of one PowerShell script block (4104 parts 2…n
        // follow part 1): move past continuation parts.
        let mut offset = end + 1;
        while let Some(line_end) = memchr::memchr(b'\n', &window[offset..]) {
            if !is_continuation_part(&window[offset..offset + line_end]) {
                break;
            }
            offset += line_end + 1;
        }
        let cut = at + offset as u64;
        if cut < length {
            cuts.push(cut);
        }
    }
    cuts.push(length);
    cuts.dedup();
    Some(cuts.windows(2).map(|w| (w[0], w[1])).collect())
}

/// An NDJSON line holding part 2 or later of a split PowerShell script block
/// (`"MessageNumber":"2"`).
fn is_continuation_part(line: &[u8]) -> bool {
    let key = b"\"MessageNumber\":";
    let Some(at) = memchr::memmem::find(line, key) else {
        return false;
    };
    let value = &line[at + key.len()..];
    let digits: Vec<u8> = value
        .iter()
        .skip_while(|b| **b == b'"' || **b == b' ')
        .take_while(|b| b.is_ascii_digit())
        .copied()
        .collect();
    !digits.is_empty() && digits != b"1"
}

/// Lines before byte `start` of the file. Each piece counts the bytes before it itself
/// (memchr over the page cache, no parsing), so with `T` pieces the file is read about
/// `(T + 1) / 2` times in all — 1.5 times on two cores.
fn lines_before(file: &mut File, start: u64) -> std::io::Result<u64> {
    let mut buffer = vec![0u8; 1 << 20];
    let mut left = start;
    let mut lines = 0u64;
    while left > 0 {
        let want = buffer.len().min(left as usize);
        let read = file.read(&mut buffer[..want])?;
        if read == 0 {
            break;
        }
        lines += memchr::memchr_iter(b'\n', &buffer[..read]).count() as u64;
        left -= read as u64;
    }
    Ok(lines)
}

/// Parse bytes `[start, end)` of an NDJSON file, numbering its lines as in the whole file.
pub(crate) fn read_range(
    path: &Path,
    (start, end): (u64, u64),
    options: &Options,
    consumer: &mut dyn Consumer,
) -> (FileSummary, Option<Stop>) {
    let name: Arc<str> = path.display().to_string().into();
    let mut emit = Emitter::new(consumer, name, options);
    let result = (|| {
        let mut file = File::open(path)?;
        let first_line = lines_before(&mut file, start)?;
        file.seek(SeekFrom::Start(start))?;
        Ok::<_, std::io::Error>((file, first_line))
    })();
    let outcome = match result {
        Ok((file, first_line)) => {
            let mut reader = BufReader::with_capacity(256 * 1024, file.take(end - start));
            json::parse_lines(&mut reader, &mut emit, options, first_line)
        }
        Err(e) => emit.error(
            whoiswatch_event::Position::Line(0),
            ErrorKind::Io,
            format!("cannot read: {e}"),
        ),
    };
    let (mut summary, stop) = emit.finish();
    summary.format = Some(Format::Json.name());
    (summary, outcome.err().or(stop))
}

/// The pieces' counts as one file's.
pub(crate) fn merge(pieces: Vec<FileSummary>) -> Option<FileSummary> {
    let mut pieces = pieces.into_iter();
    let mut whole = pieces.next()?;
    for piece in pieces {
        whole.events += piece.events;
        whole.bytes += piece.bytes;
        for (format, n) in piece.events_by_format {
            *whole.events_by_format.entry(format).or_default() += n;
        }
        for (kind, n) in piece.errors {
            *whole.errors.entry(kind).or_default() += n;
        }
    }
    Some(whole)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str, text: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("whoiswatch-split-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn cuts_fall_at_line_ends_and_never_inside_a_script_block() {
        // 70 MB of NDJSON lines; the line after the middle is part 2 of 3 of a script block.
        let line = format!("{{\"EventID\":1,\"pad\":\"{}\"}}\n", "x".repeat(1000));
        let lines = (SPLIT_MIN_BYTES as usize + 6_000_000) / line.len();
        let middle = lines / 2;
        let mut text = String::new();
        for i in 0..lines {
            if i == middle + 1 || i == middle + 2 {
                // Padded to the same length, so that the middle byte is in line `middle`.
                let part = i - middle + 1;
                let head = format!("{{\"EventID\":4104,\"MessageNumber\":\"{part}\",\"p\":\"");
                let pad = "y".repeat(line.len() - head.len() - 3);
                text.push_str(&format!("{head}{pad}\"}}\n"));
            } else {
                text.push_str(&line);
            }
        }
        let path = temp("big.ndjson", &text);
        let options = Options::default();
        let ranges = ranges(&path, &options, 2).unwrap();
        assert_eq!(ranges.len(), 2);
        let (first, second) = (ranges[0], ranges[1]);
        assert_eq!(
            (first.0, first.1, second.1),
            (0, second.0, text.len() as u64)
        );
        let cut = first.1 as usize;
        assert_eq!(text.as_bytes()[cut - 1], b'\n');
        assert!(!is_continuation_part(
            text[cut..].lines().next().unwrap().as_bytes()
        ));
        let before = text[..cut].lines().last().unwrap();
        assert!(
            before.contains("\"MessageNumber\":\"3\""),
            "{}",
            &before[..40]
        );
        // Small files and other formats are read whole.
        let small = temp("small.ndjson", &line);
        assert!(super::ranges(&small, &options, 2).is_none());
        std::fs::remove_file(&path).unwrap();
    }
}

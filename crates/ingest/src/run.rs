//! Driving a run: open each input, peel compression and archives, sniff, parse, and
//! spread files over worker threads.

use std::fs::File;
use std::io::Read;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use whoiswatch_event::Position;

use crate::emit::{Consumer, Emitter, Stop};
use crate::error::ErrorKind;
use crate::formats::windows::evtx::{self, EvtxSource};
use crate::formats::{parse_text, sniff, Format};
use crate::input::{open_stream, read_tar, read_zip, Input, Magic};
use crate::options::Options;
use crate::summary::{FileSummary, RunSummary};

/// EVTX inside compression or an archive is read into memory; past this it is refused.
const MAX_BUFFERED_EVTX: u64 = 1 << 30;

struct Reader<'o, 'c> {
    options: &'o Options,
    consumer: &'c mut dyn Consumer,
    evtx_threads: usize,
    summaries: Vec<FileSummary>,
}

impl Reader<'_, '_> {
    /// Report a file-level failure as its own summary line.
    fn fail(&mut self, name: &Arc<str>, kind: ErrorKind, reason: String) -> Result<(), Stop> {
        let mut emit = Emitter::new(&mut *self.consumer, name.clone(), self.options);
        let result = emit.error(Position::Line(0), kind, reason);
        let (summary, _) = emit.finish();
        self.summaries.push(summary);
        result
    }

    fn read_path(&mut self, path: &std::path::Path) -> Result<(), Stop> {
        let name: Arc<str> = path.display().to_string().into();
        let file = match File::open(path) {
            Ok(file) => file,
            Err(e) => return self.fail(&name, ErrorKind::Io, format!("cannot open: {e}")),
        };
        let (head, stream, layers) = match open_stream(Box::new(file)) {
            Ok(opened) => opened,
            Err(e) => return self.fail(&name, ErrorKind::Compression, format!("cannot read: {e}")),
        };
        let forced_text = self.options.format.is_some_and(|f| f != Format::Evtx);
        if layers.is_empty() && !forced_text {
            match Magic::of(&head) {
                Magic::Evtx => {
                    drop(stream);
                    return match File::open(path) {
                        Ok(file) => {
                            let mut emit =
                                Emitter::new(&mut *self.consumer, name.clone(), self.options);
                            emit.add_bytes(file.metadata().map(|m| m.len()).unwrap_or(0));
                            let result =
                                evtx::parse(EvtxSource::File(file), &mut emit, self.evtx_threads);
                            finish(&mut self.summaries, emit, evtx::FORMAT, result)
                        }
                        Err(e) => self.fail(&name, ErrorKind::Io, format!("cannot open: {e}")),
                    };
                }
                Magic::Zip => {
                    drop(stream);
                    let file = match File::open(path) {
                        Ok(file) => file,
                        Err(e) => {
                            return self.fail(&name, ErrorKind::Io, format!("cannot open: {e}"))
                        }
                    };
                    return self.read_zip_archive(&name, file);
                }
                _ => {}
            }
        }
        self.read_stream(name, head, Box::new(stream), 0)
    }

    fn read_zip_archive(&mut self, name: &Arc<str>, file: File) -> Result<(), Stop> {
        let mut failures: Vec<(String, std::io::Error)> = Vec::new();
        let outcome = {
            let mut member = |member: &str, reader: &mut dyn Read| -> Result<(), Stop> {
                let member_name: Arc<str> = format!("{name}!/{member}").into();
                self.read_member(member_name, reader)
            };
            let mut member_error = |member: &str, e: std::io::Error| -> Result<(), Stop> {
                failures.push((member.to_string(), e));
                Ok(())
            };
            read_zip(file, &mut member, &mut member_error)?
        };
        for (member, e) in failures {
            self.fail(
                &format!("{name}!/{member}").into(),
                ErrorKind::Io,
                format!("zip member unreadable: {e}"),
            )?;
        }
        if let Err(e) = outcome {
            return self.fail(
                name,
                ErrorKind::Io,
                format!("not a readable zip archive: {e}"),
            );
        }
        Ok(())
    }

    fn read_member(&mut self, name: Arc<str>, reader: &mut dyn Read) -> Result<(), Stop> {
        match open_stream(Box::new(reader)) {
            Ok((head, stream, _)) => self.read_stream(name, head, Box::new(stream), 1),
            Err(e) => self.fail(&name, ErrorKind::Compression, format!("cannot read: {e}")),
        }
    }

    fn read_unnamed_stream(
        &mut self,
        name: Arc<str>,
        stream: Box<dyn Read + '_>,
    ) -> Result<(), Stop> {
        match open_stream(stream) {
            Ok((head, stream, _)) => self.read_stream(name, head, Box::new(stream), 0),
            Err(e) => self.fail(&name, ErrorKind::Compression, format!("cannot read: {e}")),
        }
    }

    /// A decompressed stream: a tar archive, EVTX bytes, or a text format.
    fn read_stream(
        &mut self,
        name: Arc<str>,
        head: Vec<u8>,
        mut stream: Box<dyn Read + '_>,
        depth: usize,
    ) -> Result<(), Stop> {
        let magic = Magic::of(&head);
        if self.options.format.is_none() && magic == Magic::Tar && depth < 3 {
            let outcome = {
                let mut member = |member: &str, reader: &mut dyn Read| -> Result<(), Stop> {
                    let member_name: Arc<str> = format!("{name}!/{member}").into();
                    self.read_member(member_name, reader)
                };
                read_tar(&mut stream, &mut member)?
            };
            if let Err(e) = outcome {
                return self.fail(
                    &name,
                    ErrorKind::Compression,
                    format!("tar archive cut short: {e}"),
                );
            }
            return Ok(());
        }
        if magic == Magic::Zip {
            return self.fail(
                &name,
                ErrorKind::Unrecognized,
                "a zip archive inside a stream is not read; unpack it first".into(),
            );
        }
        if self.options.format.is_none() && magic != Magic::Evtx && head.contains(&0) {
            return self.fail(
                &name,
                ErrorKind::Unrecognized,
                "binary data (packet capture or other), not a log format".into(),
            );
        }
        let format = self.options.format.unwrap_or_else(|| sniff(&head));
        if format == Format::Evtx || magic == Magic::Evtx {
            let mut buffer = Vec::new();
            if let Err(e) = stream.take(MAX_BUFFERED_EVTX).read_to_end(&mut buffer) {
                return self.fail(&name, ErrorKind::Compression, format!("cannot read: {e}"));
            }
            let mut emit = Emitter::new(&mut *self.consumer, name.clone(), self.options);
            let result = evtx::parse(EvtxSource::Buffer(buffer), &mut emit, self.evtx_threads);
            return finish(&mut self.summaries, emit, evtx::FORMAT, result);
        }
        let mut reader = std::io::BufReader::with_capacity(256 * 1024, stream);
        let options = self.options;
        let mut emit = Emitter::new(&mut *self.consumer, name.clone(), options);
        let result = parse_text(format, &mut reader, &head, &mut emit, options);
        finish(&mut self.summaries, emit, format.name(), result)
    }
}

/// Close a file: flush what its emitter holds, keep its counts, pass on a stop.
fn finish(
    summaries: &mut Vec<FileSummary>,
    emit: Emitter<'_>,
    format: &'static str,
    result: Result<(), Stop>,
) -> Result<(), Stop> {
    let (mut summary, stop) = emit.finish();
    summary.format = Some(format);
    summaries.push(summary);
    result?;
    stop.map_or(Ok(()), Err)
}

/// Read one input, handing its events and errors to `consumer`. An archive gives one
/// summary per member.
pub fn read_input(
    input: &Input,
    options: &Options,
    consumer: &mut dyn Consumer,
) -> (Vec<FileSummary>, Option<Stop>) {
    read_input_with(input, options, consumer, options.threads)
}

fn read_input_with(
    input: &Input,
    options: &Options,
    consumer: &mut dyn Consumer,
    evtx_threads: usize,
) -> (Vec<FileSummary>, Option<Stop>) {
    let mut reader = Reader {
        options,
        consumer,
        evtx_threads,
        summaries: Vec::new(),
    };
    let result = match input {
        Input::File(path) => reader.read_path(path),
        Input::Stdin => reader.read_unnamed_stream("-".into(), Box::new(std::io::stdin())),
    };
    (reader.summaries, result.err())
}

/// Read a stream that is not a file (bytes in memory, a socket): sniffed, decompressed
/// and parsed like a file, its events and errors named `name`. The fuzz targets enter
/// here.
pub fn read_reader(
    name: &str,
    stream: Box<dyn Read + '_>,
    options: &Options,
    consumer: &mut dyn Consumer,
) -> (Vec<FileSummary>, Option<Stop>) {
    let mut reader = Reader {
        options,
        consumer,
        evtx_threads: 1,
        summaries: Vec::new(),
    };
    let result = reader.read_unnamed_stream(name.into(), stream);
    (reader.summaries, result.err())
}

/// Read one input; a panic in a parser (a bug) becomes an internal-error record for that
/// input instead of ending the run.
fn read_guarded(
    input: &Input,
    options: &Options,
    consumer: &mut dyn Consumer,
    evtx_threads: usize,
) -> (Vec<FileSummary>, Option<Stop>) {
    guarded(input, options, consumer, |consumer| {
        read_input_with(input, options, consumer, evtx_threads)
    })
}

/// Run `read` on `consumer`, turning a panic into an internal-error record for `input`.
fn guarded(
    input: &Input,
    options: &Options,
    consumer: &mut dyn Consumer,
    read: impl FnOnce(&mut dyn Consumer) -> (Vec<FileSummary>, Option<Stop>),
) -> (Vec<FileSummary>, Option<Stop>) {
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read(&mut *consumer)));
    match outcome {
        Ok(result) => result,
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            let name: Arc<str> = input.display_name().into();
            let mut emit = Emitter::new(consumer, name, options);
            let stop = emit
                .error(
                    Position::Line(0),
                    ErrorKind::Internal,
                    format!("parser failed (a whoiswatch bug): {message}"),
                )
                .err();
            let (summary, _) = emit.finish();
            (vec![summary], stop)
        }
    }
}

/// A worker's unit: a whole input, or a byte range of a large NDJSON file.
#[derive(Clone, Copy)]
struct Work {
    input: usize,
    range: Option<(u64, u64)>,
}

/// The units of work: inputs in order, large NDJSON files cut into one piece per
/// worker when the options allow it and the file is over a quarter of a worker's share
/// of the input.
fn plan(inputs: &[Input], options: &Options, workers: usize) -> Vec<Work> {
    let split = options.split_large_files && workers > 1;
    let size = |item: &Input| match item {
        Input::File(path) if split => std::fs::metadata(path).map_or(0, |m| m.len()),
        _ => 0,
    };
    // Cutting a file costs each piece a count of the lines before it: worth it only
    // for a file big enough to leave workers idle while one of them reads it, not when
    // there are many files of like size to share out.
    let sizes: Vec<u64> = inputs.iter().map(size).collect();
    let total: u64 = sizes.iter().sum();
    let mut work = Vec::new();
    for (input, item) in inputs.iter().enumerate() {
        let ranges = match item {
            Input::File(path) if split && sizes[input] * 4 * workers as u64 > total => {
                crate::split::ranges(path, options, workers)
            }
            _ => None,
        };
        match ranges {
            Some(ranges) => work.extend(ranges.into_iter().map(|range| Work {
                input,
                range: Some(range),
            })),
            None => work.push(Work { input, range: None }),
        }
    }
    work
}

/// Read all inputs on `options.threads` workers, each with its own consumer from `make`.
/// Files are the unit of work: events of one file keep their order — unless
/// [`Options::split_large_files`] lets several workers share a large NDJSON file. Returns
/// the counts (in input order, one per file) and the consumers.
pub fn read_all<C, F>(inputs: &[Input], options: &Options, make: F) -> (RunSummary, Vec<C>)
where
    C: Consumer + Send,
    F: Fn() -> C + Sync,
{
    let threads = options.threads.max(1);
    let work = plan(inputs, options, threads);
    let workers = threads.clamp(1, work.len().max(1));
    // With one worker, the EVTX reader may use every core itself.
    let evtx_threads = if workers == 1 { threads } else { 1 };
    // Per input, the pieces still to read: the last one to finish ends the input.
    let left: Vec<AtomicUsize> = inputs.iter().map(|_| AtomicUsize::new(0)).collect();
    for w in &work {
        left[w.input].fetch_add(1, Ordering::Relaxed);
    }
    let next = AtomicUsize::new(0);
    let stopped = AtomicBool::new(false);
    let results: Mutex<Vec<(usize, usize, Vec<FileSummary>)>> = Mutex::new(Vec::new());
    let first_stop: Mutex<Option<Stop>> = Mutex::new(None);
    let consumers: Vec<C> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut consumer = make();
                    loop {
                        if stopped.load(Ordering::Relaxed) {
                            break;
                        }
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(unit) = work.get(index).copied() else {
                            break;
                        };
                        consumer.begin_input(unit.input);
                        consumer.begin_unit(index);
                        let (summaries, stop) = match (unit.range, &inputs[unit.input]) {
                            (Some(range), input @ Input::File(path)) => {
                                guarded(input, options, &mut consumer, |consumer| {
                                    let (summary, stop) =
                                        crate::split::read_range(path, range, options, consumer);
                                    (vec![summary], stop)
                                })
                            }
                            _ => read_guarded(
                                &inputs[unit.input],
                                options,
                                &mut consumer,
                                evtx_threads,
                            ),
                        };
                        consumer.end_unit(index);
                        if left[unit.input].fetch_sub(1, Ordering::AcqRel) == 1 {
                            consumer.end_input(unit.input);
                        }
                        results
                            .lock()
                            .expect("no worker panics holding it")
                            .push((unit.input, index, summaries));
                        if let Some(stop) = stop {
                            stopped.store(true, Ordering::Relaxed);
                            first_stop
                                .lock()
                                .expect("no worker panics holding it")
                                .get_or_insert(stop);
                            break;
                        }
                    }
                    consumer
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a reader thread panicked"))
            .collect()
    });
    let mut results = results.into_inner().expect("workers are done");
    results.sort_by_key(|(input, index, _)| (*input, *index));
    // One summary per file: the pieces of a split file are added up.
    let split: Vec<bool> = (0..inputs.len())
        .map(|i| work.iter().any(|w| w.input == i && w.range.is_some()))
        .collect();
    let mut files: Vec<FileSummary> = Vec::new();
    let mut pieces: Vec<FileSummary> = Vec::new();
    let mut results = results.into_iter().peekable();
    while let Some((input, _, summaries)) = results.next() {
        if !split[input] {
            files.extend(summaries);
            continue;
        }
        pieces.extend(summaries);
        if results.peek().is_none_or(|(next, _, _)| *next != input) {
            files.extend(crate::split::merge(std::mem::take(&mut pieces)));
        }
    }
    let stopped = first_stop
        .into_inner()
        .expect("workers are done")
        .map(|s| s.0);
    (RunSummary { files, stopped }, consumers)
}

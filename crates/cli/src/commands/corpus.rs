//! `simulate --events N`: a large mixed corpus, streamed to a file or stdout.

use std::io::Write;
use std::path::Path;

use anyhow::Context as _;
use whoiswatch_simulate::{corpus, Settings};

pub fn run(settings: &Settings, events: u64, out: &Path) -> anyhow::Result<u8> {
    let started = std::time::Instant::now();
    let sink: Box<dyn Write> = if out == Path::new("-") {
        Box::new(std::io::stdout().lock())
    } else {
        Box::new(
            std::fs::File::create(out)
                .with_context(|| format!("cannot create {}", out.display()))?,
        )
    };
    let mut sink = std::io::BufWriter::with_capacity(1 << 20, sink);
    let written = corpus::write(settings, events, &mut sink)
        .and_then(|n| sink.flush().map(|_| n))
        .with_context(|| format!("cannot write {}", out.display()))?;
    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "wrote {events} events ({written} bytes) in {seconds:.2} s ({:.0} MB/s)",
        written as f64 / 1e6 / seconds.max(1e-9)
    );
    Ok(0)
}

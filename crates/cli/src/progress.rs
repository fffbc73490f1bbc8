//! Progress of a long scan on a terminal: files, bytes, events per second and alerts so
//! far, redrawn on one stderr line twice a second; nothing when stderr is not a terminal.
//! Reader threads add their counts in batches, so the hot path stays a local increment.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use whoiswatch_ingest::Input;

/// Events a reader counts locally before adding them to the shared total.
pub const BATCH: u64 = 4096;

pub struct Progress {
    sizes: Vec<u64>,
    files: AtomicU64,
    bytes: AtomicU64,
    pub events: AtomicU64,
    pub alerts: AtomicU64,
    done: AtomicBool,
}

impl Progress {
    /// `None` unless stderr is a terminal (and NO_PROGRESS is unset).
    pub fn for_terminal(inputs: &[Input]) -> Option<Progress> {
        if !std::io::stderr().is_terminal() || std::env::var_os("NO_PROGRESS").is_some() {
            return None;
        }
        let sizes = inputs
            .iter()
            .map(|input| match input {
                Input::File(path) => std::fs::metadata(path).map_or(0, |m| m.len()),
                Input::Stdin => 0,
            })
            .collect();
        Some(Progress {
            sizes,
            files: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            events: AtomicU64::new(0),
            alerts: AtomicU64::new(0),
            done: AtomicBool::new(false),
        })
    }

    pub fn input_done(&self, index: usize) {
        self.files.fetch_add(1, Ordering::Relaxed);
        let size = self.sizes.get(index).copied().unwrap_or(0);
        self.bytes.fetch_add(size, Ordering::Relaxed);
    }

    fn line(&self, started: Instant) -> String {
        let seconds = started.elapsed().as_secs_f64().max(1e-3);
        let events = self.events.load(Ordering::Relaxed);
        format!(
            "{}/{} files ({:.0} MB) done, {:.0} events/s, {} alerts so far",
            self.files.load(Ordering::Relaxed),
            self.sizes.len(),
            self.bytes.load(Ordering::Relaxed) as f64 / 1e6,
            events as f64 / seconds,
            self.alerts.load(Ordering::Relaxed)
        )
    }

    /// Redraw until [`Progress::finish`]; run on its own thread.
    pub fn show(&self) {
        let started = Instant::now();
        let mut waited = Duration::ZERO;
        while !self.done.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(100));
            waited += Duration::from_millis(100);
            if waited >= Duration::from_millis(500) {
                waited = Duration::ZERO;
                let _ = write!(std::io::stderr(), "\r\x1b[2K{}", self.line(started));
            }
        }
        let _ = write!(std::io::stderr(), "\r\x1b[2K");
    }

    pub fn finish(&self) {
        self.done.store(true, Ordering::Relaxed);
    }
}

//! The `whoiswatch` binary: arguments in, engine run, output out, exit code back.

mod args;
mod commands;
mod pack;
mod progress;
mod summary;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc: the readers allocate many small, short-lived strings per record, and
/// glibc's allocator spent a fifth of EVTX reading time on them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = args::Cli::parse();
    match commands::run(args) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("whoiswatch: {error:#}");
            ExitCode::from(2)
        }
    }
}

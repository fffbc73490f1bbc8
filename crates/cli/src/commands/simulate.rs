//! `whoiswatch simulate`: write the telemetry of the chosen behaviours, one directory
//! each, one file per log source, plus the context that allowlists the false positives;
//! or, with --events, a large corpus.

use std::io::Write;
use std::path::Path;

use anyhow::Context as _;
use whoiswatch_simulate::{activity::Host, config_yaml, simulate, Behaviour, Settings};

use crate::args::{SimulateArgs, SimulationArgs};

pub fn settings(args: &SimulationArgs) -> anyhow::Result<Settings> {
    let start = whoiswatch_event::time::parse_iso8601(&args.start)
        .with_context(|| format!("--start {} is not an ISO 8601 time", args.start))?;
    let defaults = Settings::default();
    Ok(Settings {
        seed: args.seed,
        start,
        windows: Host {
            name: args.windows_host.clone(),
            user: args.windows_user.clone(),
            ip: args.windows_ip,
            ..defaults.windows
        },
        linux: Host {
            name: args.linux_host.clone(),
            user: args.linux_user.clone(),
            ip: args.linux_ip,
            ..defaults.linux
        },
        domain: args.domain.clone(),
        network: args.network.clone(),
        ..defaults
    })
}

pub fn behaviours(names: &[String]) -> anyhow::Result<Vec<Behaviour>> {
    if names.is_empty() {
        return Ok(Behaviour::ALL.to_vec());
    }
    names
        .iter()
        .map(|name| {
            Behaviour::ALL
                .into_iter()
                .find(|b| b.dir() == name)
                .with_context(|| {
                    let known: Vec<&str> = Behaviour::ALL.iter().map(|b| b.dir()).collect();
                    format!("--behaviour {name}: not one of {}", known.join(", "))
                })
        })
        .collect()
}

fn write_file(path: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

pub fn run(args: &SimulateArgs) -> anyhow::Result<u8> {
    let settings = settings(&args.simulation)?;
    if let Some(events) = args.events {
        return super::corpus::run(&settings, events, &args.out);
    }
    let chosen = behaviours(&args.behaviour)?;
    let files = simulate(&settings, &chosen);
    let mut manifest =
        String::from("# Written by `whoiswatch simulate`: behaviour, file, log source.\n");
    let mut bytes = 0;
    for file in &files {
        write_file(&args.out.join("logs").join(&file.path), &file.text)?;
        bytes += file.text.len();
        manifest.push_str(&format!(
            "{}\tlogs/{}\t{}\n",
            file.behaviour.title(),
            file.path,
            file.source
        ));
    }
    write_file(&args.out.join("MANIFEST.tsv"), &manifest)?;
    write_file(&args.out.join("whoiswatch.yml"), &config_yaml(&settings))?;
    let mut err = std::io::stderr().lock();
    writeln!(
        err,
        "wrote {} log files ({bytes} bytes) for {} behaviours to {}/logs, with MANIFEST.tsv \
         and whoiswatch.yml (the allowlists of the false positives) beside it",
        files.len(),
        chosen.len(),
        args.out.display()
    )?;
    writeln!(
        err,
        "next: whoiswatch scan --config {}/whoiswatch.yml {}/logs",
        args.out.display(),
        args.out.display()
    )?;
    Ok(0)
}

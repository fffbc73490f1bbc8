//! Loading rules for `scan` and `rules check`: the built-in pack or the user's
//! directories, the field mapping, placeholder values.

use std::path::PathBuf;

use anyhow::Context;
use whoiswatch_sigma::{LoadOptions, Loaded, RuleSet};

use crate::args::RulesCheckArgs;
use crate::pack;

pub fn load_options(mappings: &[PathBuf], placeholders: &[String]) -> anyhow::Result<LoadOptions> {
    let mut mapping = whoiswatch_sigma::parse_mapping(pack::MAPPING)
        .map_err(|e| anyhow::anyhow!("built-in mapping: {e}"))?;
    for path in mappings {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read mapping {}", path.display()))?;
        let extra = whoiswatch_sigma::parse_mapping(&text)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        mapping.extend(extra);
    }
    // The pack's lists first, so that a user's --placeholder of the same name wins.
    let mut values = pack::placeholders();
    for spec in placeholders {
        let (name, file) = spec
            .split_once('=')
            .with_context(|| format!("--placeholder {spec}: expected NAME=FILE"))?;
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read placeholder values {file}"))?;
        let list = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .collect();
        values.push((name.to_string(), list));
    }
    Ok(LoadOptions {
        mapping,
        placeholders: values,
        slow_path: false,
    })
}

/// The user's rules, the built-in pack, or both.
pub fn load(paths: &[PathBuf], builtin: bool, options: &LoadOptions) -> Loaded {
    let sources = if builtin || paths.is_empty() {
        pack::sources()
    } else {
        Vec::new()
    };
    RuleSet::load(paths, &sources, options)
}

pub fn check(args: &RulesCheckArgs) -> anyhow::Result<u8> {
    let options = load_options(&args.mapping, &args.placeholder)?;
    let started = std::time::Instant::now();
    let loaded = load(&args.paths, false, &options);
    let elapsed = started.elapsed();
    for error in &loaded.errors {
        println!("not loaded: {error}");
    }
    let set = &loaded.set;
    println!(
        "{} files: {} detection rules, {} correlations loaded; {} not loaded ({:.0} ms)",
        set.files,
        set.len(),
        set.correlations.len(),
        loaded.errors.len(),
        elapsed.as_secs_f64() * 1000.0
    );
    Ok(if loaded.errors.is_empty() { 0 } else { 1 })
}

//! Where input comes from: paths, directories walked recursively, stdin; and how bytes
//! get out of compression and archives.

mod archive;
mod decompress;
pub(crate) mod lines;

use std::path::{Path, PathBuf};

pub(crate) use archive::{read_tar, read_zip};
pub(crate) use decompress::{open_stream, Magic};

/// One thing to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    File(PathBuf),
    Stdin,
}

impl Input {
    pub fn display_name(&self) -> String {
        match self {
            Input::File(path) => path.display().to_string(),
            Input::Stdin => "-".to_string(),
        }
    }
}

/// Turn command-line paths into inputs: `-` is stdin, a directory is every file below it
/// (sorted, hidden files and `SOURCE.txt`/`LICENSE*` notes included as they are). A path
/// that cannot be listed is returned as an error line, and the rest still run.
pub fn expand_inputs(paths: &[PathBuf]) -> (Vec<Input>, Vec<(PathBuf, std::io::Error)>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            inputs.push(Input::Stdin);
        } else if path.is_dir() {
            walk(path, &mut inputs, &mut errors);
        } else {
            // A missing or unreadable file is reported when it is opened.
            inputs.push(Input::File(path.clone()));
        }
    }
    (inputs, errors)
}

fn walk(dir: &Path, inputs: &mut Vec<Input>, errors: &mut Vec<(PathBuf, std::io::Error)>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => {
            errors.push((dir.to_path_buf(), error));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = Vec::new();
    for entry in entries {
        match entry {
            Ok(entry) => paths.push(entry.path()),
            Err(error) => errors.push((dir.to_path_buf(), error)),
        }
    }
    paths.sort();
    for path in paths {
        if path.is_dir() {
            walk(&path, inputs, errors);
        } else {
            inputs.push(Input::File(path));
        }
    }
}

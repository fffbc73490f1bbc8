//! Zip and tar archives: each member is read as a file of its own (OTRF's datasets ship
//! as zip and tar.gz).

use std::fs::File;
use std::io::{self, Read};

/// Call `member` for each regular file in a zip archive, with its name and a reader.
/// An error opening the archive is returned; an error in one member is handed to
/// `member_error` and the next member is read.
pub(crate) fn read_zip(
    file: File,
    member: &mut dyn FnMut(&str, &mut dyn Read) -> Result<(), crate::Stop>,
    member_error: &mut dyn FnMut(&str, io::Error) -> Result<(), crate::Stop>,
) -> Result<io::Result<()>, crate::Stop> {
    let mut archive = match zip::ZipArchive::new(file) {
        Ok(archive) => archive,
        Err(e) => {
            return Ok(Err(io::Error::new(
                io::ErrorKind::InvalidData,
                e.to_string(),
            )))
        }
    };
    for index in 0..archive.len() {
        let mut entry = match archive.by_index(index) {
            Ok(entry) => entry,
            Err(e) => {
                member_error(
                    &format!("#{index}"),
                    io::Error::new(io::ErrorKind::InvalidData, e.to_string()),
                )?;
                continue;
            }
        };
        if !entry.is_file() {
            continue;
        }
        let name = entry
            .name()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| format!("#{index}"));
        if is_metadata(&name) {
            continue;
        }
        member(&name, &mut entry)?;
    }
    Ok(Ok(()))
}

/// macOS resource forks and the like, which hold no logs.
fn is_metadata(name: &str) -> bool {
    name.starts_with("__MACOSX/")
        || name
            .rsplit('/')
            .next()
            .is_some_and(|base| base.starts_with("._"))
}

fn octal(field: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(field).ok()?;
    let text = text.trim_matches(|c: char| c == '\0' || c == ' ');
    if text.is_empty() {
        return Some(0);
    }
    u64::from_str_radix(text, 8).ok()
}

fn c_string(field: &[u8]) -> String {
    let end = field.iter().position(|b| *b == 0).unwrap_or(field.len());
    String::from_utf8_lossy(&field[..end]).into_owned()
}

/// Call `member` for each regular file in a tar stream (ustar, GNU long names, pax paths).
pub(crate) fn read_tar(
    reader: &mut dyn Read,
    member: &mut dyn FnMut(&str, &mut dyn Read) -> Result<(), crate::Stop>,
) -> Result<io::Result<()>, crate::Stop> {
    let mut header = [0u8; 512];
    let mut long_name: Option<String> = None;
    loop {
        if let Err(e) = reader.read_exact(&mut header) {
            return Ok(if e.kind() == io::ErrorKind::UnexpectedEof {
                Ok(())
            } else {
                Err(e)
            });
        }
        if header.iter().all(|b| *b == 0) {
            return Ok(Ok(()));
        }
        let Some(size) = octal(&header[124..136]) else {
            return Ok(Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "tar header with a bad size",
            )));
        };
        let kind = header[156];
        let mut name = c_string(&header[0..100]);
        if &header[257..262] == b"ustar" {
            let prefix = c_string(&header[345..500]);
            if !prefix.is_empty() {
                name = format!("{prefix}/{name}");
            }
        }
        let padding = (512 - size % 512) % 512;
        let mut body = (&mut *reader).take(size);
        match kind {
            b'L' | b'x' => {
                let mut data = Vec::new();
                if let Err(e) = body.read_to_end(&mut data) {
                    return Ok(Err(e));
                }
                long_name = if kind == b'L' {
                    Some(c_string(&data))
                } else {
                    pax_path(&data)
                };
            }
            b'0' | 0 => {
                let name = long_name.take().unwrap_or(name);
                if !name
                    .rsplit('/')
                    .next()
                    .is_some_and(|base| base.starts_with("._"))
                {
                    member(&name, &mut body)?;
                }
            }
            _ => long_name = None,
        }
        // Whatever the member's parser left unread, and the block padding.
        if let Err(e) = io::copy(&mut body, &mut io::sink()) {
            return Ok(Err(e));
        }
        if let Err(e) = io::copy(&mut (&mut *reader).take(padding), &mut io::sink()) {
            return Ok(Err(e));
        }
    }
}

/// The `path=` record of a pax extended header.
fn pax_path(data: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(data);
    text.lines()
        .find_map(|line| line.split_once(" path=").map(|(_, path)| path.to_string()))
}

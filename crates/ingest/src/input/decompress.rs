//! Undoing gzip and zstd, and looking at a stream's first bytes without consuming them.

use std::io::{self, BufReader, Chain, Cursor, Read};

/// What a stream's first bytes say it is, before any format sniffing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Magic {
    Gzip,
    Zstd,
    Zip,
    Evtx,
    Tar,
    Other,
}

impl Magic {
    pub fn of(head: &[u8]) -> Magic {
        if head.starts_with(&[0x1f, 0x8b]) {
            Magic::Gzip
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Magic::Zstd
        } else if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
            Magic::Zip
        } else if head.starts_with(b"ElfFile\0") {
            Magic::Evtx
        } else if head.len() >= 262 && &head[257..262] == b"ustar" {
            Magic::Tar
        } else {
            Magic::Other
        }
    }
}

/// A readable stream whose first bytes were already read for sniffing.
pub(crate) type Stream<'a> = BufReader<Chain<Cursor<Vec<u8>>, Box<dyn Read + 'a>>>;

const BUFFER: usize = 256 * 1024;

/// Read up to `n` bytes from the start of `reader` and give back a stream that still
/// yields them.
pub(crate) fn peek<'a>(
    mut reader: Box<dyn Read + 'a>,
    n: usize,
) -> io::Result<(Vec<u8>, Stream<'a>)> {
    let mut head = Vec::with_capacity(n);
    (&mut reader).take(n as u64).read_to_end(&mut head)?;
    let stream = BufReader::with_capacity(BUFFER, Cursor::new(head.clone()).chain(reader));
    Ok((head, stream))
}

/// Peel off gzip and zstd layers (repeatedly: `.tar.gz`, `.json.gz.zst`…), returning the
/// inner stream, its first bytes and the layers removed.
pub(crate) fn open_stream<'a>(
    reader: Box<dyn Read + 'a>,
) -> io::Result<(Vec<u8>, Stream<'a>, Vec<&'static str>)> {
    let mut layers = Vec::new();
    let (mut head, mut stream) = peek(reader, 4096)?;
    loop {
        let inner: Box<dyn Read + 'a> = match Magic::of(&head) {
            Magic::Gzip => {
                layers.push("gzip");
                Box::new(flate2::read::MultiGzDecoder::new(stream))
            }
            Magic::Zstd => {
                layers.push("zstd");
                let decoder = ruzstd::decoding::StreamingDecoder::new(stream).map_err(|e| {
                    io::Error::new(io::ErrorKind::InvalidData, format!("zstd: {e}"))
                })?;
                Box::new(decoder)
            }
            _ => return Ok((head, stream, layers)),
        };
        (head, stream) = peek(inner, 4096)?;
        if layers.len() > 4 {
            return Ok((head, stream, layers));
        }
    }
}

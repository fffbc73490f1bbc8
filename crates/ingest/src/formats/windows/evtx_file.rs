//! An EVTX file's chunks (MS-EVEN6 2.1: a 4 KiB file header, then 64 KiB chunks), in the
//! order the `evtx` crate reads them: from the chunk holding the oldest record, wrapping
//! round to the start. Empty (all-zero) chunks are skipped, a short or malformed chunk is
//! an error with the crate's wording, and chunk buffers are reused.

use std::io::{Read, Seek, SeekFrom};

use evtx::err::{ChunkError, EvtxError};
use evtx::{EvtxChunkHeader, EvtxFileHeader};

const FILE_HEADER_SIZE: u64 = 4096;
const CHUNK_SIZE: usize = 65536;
pub(crate) const CHUNK_HEADER_SIZE: usize = 512;
const CHUNK_MAGIC: &[u8; 8] = b"ElfChnk\x00";

/// A chunk as read: its number, header and bytes.
pub(crate) struct RawChunk {
    pub number: u64,
    pub header: EvtxChunkHeader,
    pub data: Vec<u8>,
}

pub(crate) struct EvtxFile<R> {
    reader: R,
    /// Chunk numbers still to read, in order.
    order: std::iter::Chain<std::ops::Range<u64>, std::ops::Range<u64>>,
}

impl<R: Read + Seek> EvtxFile<R> {
    /// Reads the file header and finds the oldest chunk.
    pub(crate) fn open(mut reader: R) -> Result<Self, String> {
        let header = EvtxFileHeader::from_stream(&mut reader).map_err(|e| e.to_string())?;
        let size = reader.seek(SeekFrom::End(0)).map_err(|e| e.to_string())?;
        let Some(chunk_bytes) = size.checked_sub(header.header_block_size.into()) else {
            return Err(format!(
                "the file ({size} bytes) is shorter than its header block ({} bytes)",
                header.header_block_size
            ));
        };
        let count = chunk_bytes / CHUNK_SIZE as u64;
        let oldest = oldest_chunk(&mut reader, count);
        Ok(EvtxFile {
            reader,
            order: (oldest..count).chain(0..oldest),
        })
    }

    /// The next chunk that is not empty, read into `buffer` (a 64 KiB buffer to reuse, or
    /// an empty one); `None` at the end.
    pub(crate) fn next_chunk(
        &mut self,
        mut buffer: Vec<u8>,
    ) -> Option<Result<RawChunk, EvtxError>> {
        buffer.resize(CHUNK_SIZE, 0);
        for number in self.order.by_ref() {
            let offset = FILE_HEADER_SIZE + number * CHUNK_SIZE as u64;
            let read = self
                .reader
                .seek(SeekFrom::Start(offset))
                .and_then(|_| self.reader.read_exact(&mut buffer));
            if read.is_err() {
                return Some(Err(chunk_error(number, ChunkError::IncompleteChunk)));
            }
            // There may be empty chunks in the middle of a dirty file.
            if buffer[..8] != CHUNK_MAGIC[..] && buffer.iter().fold(0, |any, &b| any | b) == 0 {
                continue;
            }
            return Some(match EvtxChunkHeader::from_bytes(&buffer) {
                Ok(header) => Ok(RawChunk {
                    number,
                    header,
                    data: buffer,
                }),
                Err(e) => Err(chunk_error(number, ChunkError::FailedToParseChunkHeader(e))),
            });
        }
        None
    }
}

fn chunk_error(number: u64, error: ChunkError) -> EvtxError {
    EvtxError::FailedToParseChunk {
        chunk_id: number,
        source: Box::new(error),
    }
}

/// The chunk whose first record is the oldest (the log is circular): the first chunk when
/// no header reads.
fn oldest_chunk<R: Read + Seek>(reader: &mut R, count: u64) -> u64 {
    let mut oldest = (u64::MAX, 0);
    let mut header = [0; CHUNK_HEADER_SIZE];
    for number in 0..count {
        let offset = FILE_HEADER_SIZE + number * CHUNK_SIZE as u64;
        if reader.seek(SeekFrom::Start(offset)).is_err() || reader.read_exact(&mut header).is_err()
        {
            break;
        }
        if let Ok(chunk) = EvtxChunkHeader::from_bytes(&header) {
            let first = chunk.first_event_record_id;
            if first <= chunk.last_event_record_id && first < oldest.0 {
                oldest = (first, number);
            }
        }
    }
    oldest.1
}

//! The records of an EVTX chunk (MS-EVEN6 2.2: after the 512-byte chunk header, records
//! back to back up to the free space): each record's id and where its BinXML is. A chunk
//! whose records do not line up answers `None`, and the `evtx` crate reads it instead (it
//! reports what is wrong and recovers what it can).

use std::ops::Range;

use super::binxml::Chunk;
use super::evtx_file::CHUNK_HEADER_SIZE;

const RECORD_HEADER_SIZE: usize = 24;
const RECORD_MAGIC: [u8; 4] = *b"\x2a\x2a\x00\x00";

/// One record: its id and its BinXML's place in the chunk.
pub(crate) struct RawRecord {
    pub id: u64,
    pub binxml: Range<usize>,
}

/// Every record of the chunk, in order; `None` if any is out of line.
pub(crate) fn live_records(chunk: Chunk<'_>) -> Option<Vec<RawRecord>> {
    let data = chunk.data;
    let header = chunk.header;
    let live_end = (header.free_space_offset as usize).min(data.len());
    let mut records = Vec::with_capacity(128);
    let mut at = CHUNK_HEADER_SIZE;
    while at < live_end {
        let head = data.get(at..at + RECORD_HEADER_SIZE)?;
        if head[..4] != RECORD_MAGIC {
            return None;
        }
        let size = u32::from_le_bytes(head[4..8].try_into().ok()?) as usize;
        let id = u64::from_le_bytes(head[8..16].try_into().ok()?);
        // The header, the BinXML, then a copy of the size.
        let end = at.checked_add(size)?;
        if size < RECORD_HEADER_SIZE + 4 || end > data.len() {
            return None;
        }
        if data[end - 4..end] != head[4..8] {
            return None;
        }
        records.push(RawRecord {
            id,
            binxml: at + RECORD_HEADER_SIZE..end - 4,
        });
        if id == header.last_event_record_id {
            break;
        }
        at = end;
    }
    Some(records)
}

//! Lines with their numbers, a length limit, and honest I/O errors.

use std::io::{self, BufRead};

/// One line read: its 1-based number and bytes without the line ending.
pub(crate) enum Line<'b> {
    Text(u64, &'b [u8]),
    /// A line over the limit, skipped whole; its number and length.
    TooLong(u64, u64),
}

/// Reads lines from a BufRead into a reused buffer.
pub(crate) struct LineReader<'r> {
    reader: &'r mut dyn BufRead,
    buffer: Vec<u8>,
    number: u64,
    max: usize,
}

impl<'r> LineReader<'r> {
    pub fn new(reader: &'r mut dyn BufRead, max: usize) -> Self {
        LineReader {
            reader,
            buffer: Vec::with_capacity(4096),
            number: 0,
            max,
        }
    }

    /// The number of the last line returned.
    pub fn number(&self) -> u64 {
        self.number
    }

    /// The next line, `None` at the end, or the I/O error that stopped reading.
    pub fn next_line(&mut self) -> io::Result<Option<Line<'_>>> {
        self.buffer.clear();
        let mut too_long: u64 = 0;
        loop {
            let available = match self.reader.fill_buf() {
                Ok(available) => available,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                if self.buffer.is_empty() && too_long == 0 {
                    return Ok(None);
                }
                break;
            }
            let (chunk, done) = match memchr::memchr(b'\n', available) {
                Some(at) => (&available[..at], Some(at + 1)),
                None => (available, None),
            };
            if too_long > 0 || self.buffer.len() + chunk.len() > self.max {
                too_long += (self.buffer.len() + chunk.len()) as u64;
                self.buffer.clear();
            } else {
                self.buffer.extend_from_slice(chunk);
            }
            let consumed = done.unwrap_or(available.len());
            self.reader.consume(consumed);
            if done.is_some() {
                break;
            }
        }
        self.number += 1;
        if too_long > 0 {
            return Ok(Some(Line::TooLong(self.number, too_long)));
        }
        if self.buffer.last() == Some(&b'\r') {
            self.buffer.pop();
        }
        Ok(Some(Line::Text(self.number, &self.buffer)))
    }
}

/// What [`for_each_line`] calls with each line's number and bytes.
pub(crate) type LineHandler<'h> =
    dyn FnMut(u64, &[u8], &mut crate::Emitter<'_>) -> Result<(), crate::Stop> + 'h;

/// Call `handle` with each line's number and bytes. Over-long lines and read failures
/// become errors on the emitter; the byte count is kept. Shared by every line format.
pub(crate) fn for_each_line(
    reader: &mut dyn BufRead,
    emit: &mut crate::Emitter<'_>,
    max: usize,
    handle: &mut LineHandler<'_>,
) -> Result<(), crate::Stop> {
    for_each_line_after(reader, emit, max, 0, handle)
}

/// [`for_each_line`] on a part of a file whose first line is line `after + 1`.
pub(crate) fn for_each_line_after(
    reader: &mut dyn BufRead,
    emit: &mut crate::Emitter<'_>,
    max: usize,
    after: u64,
    handle: &mut LineHandler<'_>,
) -> Result<(), crate::Stop> {
    use whoiswatch_event::Position;
    let mut lines = LineReader::new(reader, max);
    lines.number = after;
    loop {
        // The lines wholly inside the reader's buffer are handed over where they lie;
        // one that runs past its end is gathered by `next_line`.
        let available = match lines.reader.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => &[],
        };
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', available) {
            let line = &available[start..end];
            start = end + 1;
            lines.number += 1;
            let line = if line.len() > max {
                Line::TooLong(lines.number, line.len() as u64)
            } else {
                Line::Text(lines.number, line.strip_suffix(b"\r").unwrap_or(line))
            };
            deliver(line, emit, handle)?;
        }
        if start > 0 {
            lines.reader.consume(start);
            continue;
        }
        match lines.next_line() {
            Ok(Some(line)) => deliver(line, emit, handle)?,
            Ok(None) => return Ok(()),
            Err(e) => {
                return emit.error(
                    Position::Line(lines.number() + 1),
                    crate::ErrorKind::Io,
                    format!("read failed: {e}"),
                )
            }
        }
    }
}

/// One line to its handler, or an over-long one to the emitter as an error.
fn deliver(
    line: Line<'_>,
    emit: &mut crate::Emitter<'_>,
    handle: &mut LineHandler<'_>,
) -> Result<(), crate::Stop> {
    match line {
        Line::Text(number, bytes) => {
            emit.add_bytes(bytes.len() as u64 + 1);
            handle(number, bytes, emit)
        }
        Line::TooLong(number, length) => emit.error(
            whoiswatch_event::Position::Line(number),
            crate::ErrorKind::TooLong,
            format!("line of {length} bytes"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_limits_and_crlf() {
        let data = b"one\r\ntwo\nthis line is too long\nlast";
        let mut reader: &[u8] = data;
        let mut lines = LineReader::new(&mut reader, 10);
        let mut seen = Vec::new();
        while let Some(line) = lines.next_line().unwrap() {
            seen.push(match line {
                Line::Text(n, text) => format!("{n}:{}", String::from_utf8_lossy(text)),
                Line::TooLong(n, len) => format!("{n}:long {len}"),
            });
        }
        assert_eq!(seen, ["1:one", "2:two", "3:long 21", "4:last"]);
    }
}

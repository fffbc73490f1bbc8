//! A template instance's substitution values (MS-EVEN6 2.2.3.18): the descriptor table,
//! then each value's bytes, and the text Windows (and the `evtx` crate) shows for them.
//! Types this reader does not render (non-ASCII ANSI strings, floats, arrays, handles)
//! answer `None`, and the record is read the slow way instead.

use whoiswatch_event::digits::push_decimal;

/// BinXML value types (MS-EVEN6 2.2.3.19) this reader knows by name.
pub(super) mod ty {
    pub const NULL: u8 = 0x00;
    pub const UTF16: u8 = 0x01;
    pub const BIN_XML: u8 = 0x21;
    pub const STRING_ARRAY: u8 = 0x81;
}

/// One substitution value: its type and its bytes, at `offset` in the chunk.
#[derive(Debug, Clone, Copy)]
pub(super) struct Value<'a> {
    pub ty: u8,
    pub bytes: &'a [u8],
    pub offset: usize,
}

impl Value<'_> {
    /// Null, or a string of no characters: an optional attribute with it is left out.
    pub fn is_null(&self) -> bool {
        self.ty == ty::NULL || self.bytes.is_empty() && self.ty != ty::UTF16
    }
}

pub(super) fn u16_at(data: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(data.get(at..at + 2)?.try_into().ok()?))
}

pub(super) fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(data.get(at..at + 4)?.try_into().ok()?))
}

/// The substitution array that starts at `at` in `data`; returns the values and the offset
/// after them.
pub(super) fn read_values(data: &[u8], at: usize) -> Option<(Vec<Value<'_>>, usize)> {
    let count = u32_at(data, at)? as usize;
    let table = at + 4;
    // Each descriptor is 4 bytes; a count the data cannot hold is corrupt.
    if count > (data.len().saturating_sub(table)) / 4 {
        return None;
    }
    let mut values = Vec::with_capacity(count);
    let mut offset = table + count * 4;
    for i in 0..count {
        let descriptor = table + i * 4;
        let size = u16_at(data, descriptor)? as usize;
        let ty = *data.get(descriptor + 2)?;
        let bytes = data.get(offset..offset + size)?;
        values.push(Value { ty, bytes, offset });
        offset += size;
    }
    Some((values, offset))
}

/// Appends the value's text to `out`; `None` when the type is not one this reader renders
/// (the caller falls back) or the bytes do not fit the type.
pub(super) fn write_text(value: &Value<'_>, out: &mut Vec<u8>) -> Option<()> {
    let b = value.bytes;
    macro_rules! int {
        ($t:ty, $n:literal, $push:ident) => {{
            let bytes: [u8; $n] = b.try_into().ok()?;
            $push(out, <$t>::from_le_bytes(bytes).into());
        }};
    }
    match value.ty {
        ty::NULL => {}
        ty::UTF16 => utf16(b, out)?,
        // An ANSI string, NULs dropped: ASCII only here (other code pages take the slow path).
        0x02 => {
            if !b.is_ascii() {
                return None;
            }
            out.extend(b.iter().filter(|&&c| c != 0));
        }
        0x03 => int!(i8, 1, push_i64),
        0x04 => int!(u8, 1, push_decimal),
        0x05 => int!(i16, 2, push_i64),
        0x06 => int!(u16, 2, push_decimal),
        0x07 => int!(i32, 4, push_i64),
        0x08 => int!(u32, 4, push_decimal),
        0x09 => int!(i64, 8, push_i64),
        0x0a => int!(u64, 8, push_decimal),
        0x0d => {
            // Windows writes bitmasks into some bool slots: those stay integers.
            let raw = i32::from_le_bytes(b.try_into().ok()?);
            match raw {
                0 => out.extend_from_slice(b"false"),
                1 => out.extend_from_slice(b"true"),
                _ => push_i64(out, raw.into()),
            }
        }
        0x0e => {
            for byte in b {
                out.push(HEX[usize::from(byte >> 4)].to_ascii_uppercase());
                out.push(HEX[usize::from(byte & 0x0f)].to_ascii_uppercase());
            }
        }
        0x0f => guid(b.try_into().ok()?, out),
        // SizeT, HexInt32, HexInt64: hexadecimal with a 0x prefix.
        0x10 | 0x14 | 0x15 => {
            let n = match b.len() {
                4 => u64::from(u32::from_le_bytes(b.try_into().ok()?)),
                8 => u64::from_le_bytes(b.try_into().ok()?),
                _ => return None,
            };
            out.extend_from_slice(b"0x");
            let digits = (64 - n.leading_zeros()).div_ceil(4).max(1);
            for shift in (0..digits).rev() {
                out.push(HEX[((n >> (shift * 4)) & 0xf) as usize]);
            }
        }
        0x11 => filetime(u64::from_le_bytes(b.try_into().ok()?), out)?,
        0x12 => systemtime(b, out)?,
        0x13 => sid(b, out)?,
        _ => return None,
    }
    Some(())
}

/// UTF-16LE up to the first NUL, as UTF-8; unpaired surrogates become U+FFFD.
fn utf16(bytes: &[u8], out: &mut Vec<u8>) -> Option<()> {
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    out.reserve(bytes.len() / 2);
    let mut at = 0;
    // ASCII, the common case, four units at a time: every high byte zero, every low byte
    // below 0x80, and no unit zero (a NUL ends the string).
    while let Some(word) = bytes.get(at..at + 8) {
        let w = u64::from_le_bytes(word.try_into().ok()?);
        let ascii = w & 0xff80_ff80_ff80_ff80 == 0;
        let has_nul = w.wrapping_sub(0x0001_0001_0001_0001) & !w & 0x8000_8000_8000_8000 != 0;
        if !ascii || has_nul {
            break;
        }
        out.extend_from_slice(&[word[0], word[2], word[4], word[6]]);
        at += 8;
    }
    let mut units = bytes[at..]
        .chunks_exact(2)
        .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
        .take_while(|&unit| unit != 0)
        .peekable();
    while let Some(&unit) = units.peek() {
        if unit >= 0x80 {
            break;
        }
        out.push(unit as u8);
        units.next();
    }
    let mut buffer = [0u8; 4];
    for c in char::decode_utf16(units) {
        let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
        out.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
    }
    Some(())
}

fn push_i64(out: &mut Vec<u8>, n: i64) {
    if n < 0 {
        out.push(b'-');
    }
    push_decimal(out, n.unsigned_abs());
}

fn guid(b: [u8; 16], out: &mut Vec<u8>) {
    // Data1..Data3 are little-endian; Data4 is bytes in order.
    const ORDER: [usize; 16] = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
    let mut text = [b'-'; 38];
    text[0] = b'{';
    text[37] = b'}';
    let mut at = 1;
    for (i, &index) in ORDER.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            at += 1;
        }
        text[at] = HEX[usize::from(b[index] >> 4)];
        text[at + 1] = HEX[usize::from(b[index] & 0x0f)];
        at += 2;
    }
    out.extend_from_slice(&text);
}

const HEX: [u8; 16] = *b"0123456789abcdef";

/// `value` as `width` decimal digits, zero-padded.
fn push_padded(out: &mut Vec<u8>, mut value: u64, width: usize) {
    let mut digits = [b'0'; 20];
    for d in digits[..width].iter_mut().rev() {
        *d = b'0' + (value % 10) as u8;
        value /= 10;
    }
    out.extend_from_slice(&digits[..width]);
}

/// `YYYY-MM-DDTHH:MM:SS.fffffffZ`.
fn push_datetime(out: &mut Vec<u8>, date: (i64, u32, u32), time: [u64; 3], ticks: u32) {
    let (year, month, day) = date;
    push_padded(out, year as u64, 4);
    out.push(b'-');
    push_padded(out, month.into(), 2);
    out.push(b'-');
    push_padded(out, day.into(), 2);
    out.push(b'T');
    push_padded(out, time[0], 2);
    out.push(b':');
    push_padded(out, time[1], 2);
    out.push(b':');
    push_padded(out, time[2], 2);
    out.push(b'.');
    push_padded(out, ticks.into(), 7);
    out.push(b'Z');
}

fn sid(b: &[u8], out: &mut Vec<u8>) -> Option<()> {
    let &[revision, sub_count, a0, a1, a2, a3, a4, a5, ref subs @ ..] = b else {
        return None;
    };
    let authority = u64::from_be_bytes([0, 0, a0, a1, a2, a3, a4, a5]);
    out.extend_from_slice(b"S-");
    push_decimal(out, revision.into());
    out.push(b'-');
    push_decimal(out, authority);
    for chunk in subs.chunks_exact(4).take(sub_count as usize) {
        out.push(b'-');
        push_decimal(out, u32::from_le_bytes(chunk.try_into().ok()?).into());
    }
    Some(())
}

/// `YYYY-MM-DDTHH:MM:SS.fffffffZ` for a FILETIME (100 ns ticks since 1601-01-01 UTC).
fn filetime(ft: u64, out: &mut Vec<u8>) -> Option<()> {
    const TICKS_PER_SECOND: u64 = 10_000_000;
    // Days from 1601-01-01 to 1970-01-01.
    const EPOCH_DAYS: i64 = 134_774;
    let seconds = ft / TICKS_PER_SECOND;
    let ticks = (ft % TICKS_PER_SECOND) as u32;
    let days = (seconds / 86_400) as i64 - EPOCH_DAYS;
    let in_day = seconds % 86_400;
    let (year, month, day) = whoiswatch_event::time::civil_from_days(days);
    if !(1601..=9999).contains(&year) {
        return None;
    }
    push_datetime(
        out,
        (year, month, day),
        [in_day / 3600, in_day / 60 % 60, in_day % 60],
        ticks,
    );
    Some(())
}

/// A SYSTEMTIME: eight u16s (year, month, day of week, day, hour, minute, second, ms).
fn systemtime(b: &[u8], out: &mut Vec<u8>) -> Option<()> {
    let f: Vec<u16> = b
        .chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]))
        .collect();
    let &[year, month, _, day, hour, minute, second, ms] = f.as_slice() else {
        return None;
    };
    let valid = (1601..=9999).contains(&year)
        && (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && hour < 24
        && minute < 60
        && second < 60
        && ms < 1000;
    if !valid {
        return None;
    }
    push_datetime(
        out,
        (year.into(), month.into(), day.into()),
        [hour.into(), minute.into(), second.into()],
        u32::from(ms) * 10_000,
    );
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(ty: u8, bytes: &[u8]) -> Option<String> {
        let mut out = Vec::new();
        write_text(
            &Value {
                ty,
                bytes,
                offset: 0,
            },
            &mut out,
        )?;
        Some(String::from_utf8(out).unwrap())
    }

    #[test]
    fn values_render_as_windows_shows_them() {
        let utf16: Vec<u8> = "wh\u{f6}is\0junk"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(text(0x01, &utf16).unwrap(), "wh\u{f6}is");
        let long: Vec<u8> = "C:\\Windows\\System32\\whois.exe\0x"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(
            text(0x01, &long).unwrap(),
            "C:\\Windows\\System32\\whois.exe"
        );
        let accented: Vec<u8> = "abcdefgh\u{e9}ijklmnop"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(text(0x01, &accented).unwrap(), "abcdefgh\u{e9}ijklmnop");
        assert_eq!(text(0x06, &43u16.to_le_bytes()).unwrap(), "43");
        assert_eq!(
            text(0x09, &i64::MIN.to_le_bytes()).unwrap(),
            "-9223372036854775808"
        );
        assert_eq!(
            text(0x0a, &u64::MAX.to_le_bytes()).unwrap(),
            "18446744073709551615"
        );
        assert_eq!(text(0x07, &0i32.to_le_bytes()).unwrap(), "0");
        let mixed: Vec<u8> = "ab\u{20ac}c\0d"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(text(0x01, &mixed).unwrap(), "ab\u{20ac}c");
        let lone: Vec<u8> = [0x61u16, 0xd800, 0x62]
            .iter()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert_eq!(text(0x01, &lone).unwrap(), "a\u{fffd}b");
        assert_eq!(
            text(0x15, &0x8000_0000_0000_0000u64.to_le_bytes()).unwrap(),
            "0x8000000000000000"
        );
        assert_eq!(text(0x14, &0u32.to_le_bytes()).unwrap(), "0x0");
        assert_eq!(text(0x14, &0x1fu32.to_le_bytes()).unwrap(), "0x1f");
        assert_eq!(text(0x0d, &1i32.to_le_bytes()).unwrap(), "true");
        assert_eq!(text(0x0d, &2i32.to_le_bytes()).unwrap(), "2");
        assert_eq!(text(0x0e, &[0x0a, 0xff]).unwrap(), "0AFF");
        let guid = [
            0x5f, 0x38, 0x70, 0x57, 0x7f, 0x3e, 0x2b, 0x4c, 0x9a, 0x6b, 0xbb, 0x3c, 0x0d, 0x6e,
            0xaa, 0x05,
        ];
        assert_eq!(
            text(0x0f, &guid).unwrap(),
            "{5770385f-3e7f-4c2b-9a6b-bb3c0d6eaa05}"
        );
        let local_system = [1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0];
        assert_eq!(text(0x13, &local_system).unwrap(), "S-1-5-18");
        // 2019-03-19T23:34:25.1234567Z
        assert_eq!(
            text(0x11, &131_975_120_651_234_567u64.to_le_bytes()).unwrap(),
            "2019-03-19T23:34:25.1234567Z"
        );
        assert_eq!(
            text(0x11, &0u64.to_le_bytes()).unwrap(),
            "1601-01-01T00:00:00.0000000Z"
        );
        let st: Vec<u8> = [2020u16, 2, 6, 29, 13, 5, 9, 250]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        assert_eq!(text(0x12, &st).unwrap(), "2020-02-29T13:05:09.2500000Z");
        // Types left to the slow path, and bytes that do not fit their type.
        assert_eq!(text(0x02, b"LiveId\0").unwrap(), "LiveId");
        assert_eq!(text(0x02, &[0xe9]), None);
        assert_eq!(text(0x0c, &1.5f64.to_le_bytes()), None);
        assert_eq!(text(0x06, &[1]), None);
        assert_eq!(text(0x01, b"a"), None);
    }

    #[test]
    fn a_substitution_array_reads_each_value_at_its_offset() {
        let mut data = vec![0xee; 3];
        data.extend(2u32.to_le_bytes());
        data.extend([2, 0, 0x06, 0, 0, 0, 0x00, 0]);
        data.extend(43u16.to_le_bytes());
        let (values, end) = read_values(&data, 3).unwrap();
        assert_eq!(values.len(), 2);
        assert_eq!(
            (values[0].ty, values[0].offset, values[0].bytes),
            (0x06, 15, &[43, 0][..])
        );
        assert!(values[1].is_null());
        assert_eq!(end, data.len());
        // A count larger than the data can hold, or a value past the end.
        assert!(read_values(&[0xff, 0xff, 0, 0], 0).is_none());
        assert!(read_values(&data[..16], 3).is_none());
    }
}

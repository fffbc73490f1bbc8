//! What a top-level key means: the canonical field it names and what it says about the
//! object's dialect. The lines of one source repeat the same keys in the same order, so
//! both are remembered by position and most lookups are one string comparison.

use std::cell::RefCell;

use whoiswatch_event::FieldId;

use super::tree::Json;

/// What one key says about the dialect: a set of [`Signature`] flags.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Marks(u16);

impl Marks {
    const EVENT: u16 = 1;
    const WINLOG: u16 = 1 << 1;
    const EVENT_ID: u16 = 1 << 2;
    const CHANNEL_OR_SOURCE: u16 = 1 << 3;
    const FILE: u16 = 1 << 4;
    const POSITION: u16 = 1 << 5;
    const ZEEK: u16 = 1 << 6;
    const UID: u16 = 1 << 7;
    const ORIG: u16 = 1 << 8;
    const QRADAR: u16 = 1 << 9;

    pub fn of(key: &str) -> Marks {
        Marks(match key {
            "Event" => Marks::EVENT,
            "winlog" => Marks::WINLOG,
            "EventID" => Marks::EVENT_ID,
            "Channel" | "SourceName" => Marks::CHANNEL_OR_SOURCE,
            "file" => Marks::FILE,
            "position" => Marks::POSITION,
            "_path" | "@stream" => Marks::ZEEK,
            "uid" => Marks::UID,
            "id.orig_h" | "id_orig_h" => Marks::ORIG,
            other if is_qradar_column(other) => Marks::QRADAR,
            _ => 0,
        })
    }

    pub fn union(self, other: Marks) -> Marks {
        Marks(self.0 | other.0)
    }

    fn has(self, mark: u16) -> bool {
        self.0 & mark != 0
    }
}

/// One of QRadar's own columns, in any case.
fn is_qradar_column(key: &str) -> bool {
    matches!(key.len(), 3 | 10 | 11 | 13)
        && ["qid", "devicetype", "logsourceid", "logsourcename"]
            .iter()
            .any(|q| key.eq_ignore_ascii_case(q))
}

/// The top-level keys that decide an object's dialect, found in one pass over them
/// (each dialect test would otherwise search the keys again, on every line).
#[derive(Debug, Default)]
pub(crate) struct Signature {
    /// `Event`: evtx_dump's JSON.
    pub event: bool,
    /// `winlog`: Winlogbeat / Elastic Agent.
    pub winlog: bool,
    /// `EventID` and `Channel` or `SourceName`: NXLog.
    pub nxlog: bool,
    /// `file` and `position`: possibly whoiswatch's own events.
    pub file_and_position: bool,
    /// `_path`, `@stream`, or `uid` with `id.orig_h`: possibly Zeek.
    pub zeek: bool,
    /// One of QRadar's own columns (any case).
    pub qradar: bool,
}

impl Signature {
    pub fn of(object: &Json<'_>) -> Signature {
        let marks = object
            .members()
            .iter()
            .fold(Marks::default(), |marks, (key, _)| {
                marks.union(Marks::of(key))
            });
        Signature::of_marks(marks)
    }

    /// The signature of the keys whose marks are united in `marks`.
    pub fn of_marks(marks: Marks) -> Signature {
        Signature {
            event: marks.has(Marks::EVENT),
            winlog: marks.has(Marks::WINLOG),
            nxlog: marks.has(Marks::EVENT_ID) && marks.has(Marks::CHANNEL_OR_SOURCE),
            file_and_position: marks.has(Marks::FILE) && marks.has(Marks::POSITION),
            zeek: marks.has(Marks::ZEEK) || marks.has(Marks::UID) && marks.has(Marks::ORIG),
            qradar: marks.has(Marks::QRADAR),
        }
    }

    /// None of the dialects tested before the generic one could apply.
    pub fn only_generic(&self) -> bool {
        !(self.event || self.winlog || self.nxlog || self.file_and_position || self.zeek)
    }
}

/// A key's field and marks.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct KeyInfo {
    pub id: Option<FieldId>,
    pub marks: Marks,
}

/// At most this many names are kept for the life of the process, per thread, each of
/// at most [`INTERNED_LENGTH`] bytes: the names records repeat (Windows data names), a
/// few hundred in practice. Past the bound (a source that makes names up), names are
/// copied into each event as before.
const INTERNED_MAX: usize = 4096;
const INTERNED_LENGTH: usize = 64;

/// `name` as a `'static` string, the same one each time it is asked for.
fn intern(name: &str) -> Option<&'static str> {
    thread_local! {
        static NAMES: RefCell<rustc_hash::FxHashSet<&'static str>> = RefCell::default();
    }
    if name.len() > INTERNED_LENGTH {
        return None;
    }
    NAMES.with_borrow_mut(|names| {
        if let Some(&known) = names.get(name) {
            return Some(known);
        }
        if names.len() >= INTERNED_MAX {
            return None;
        }
        let kept: &'static str = Box::leak(Box::from(name));
        names.insert(kept);
        Some(kept)
    })
}

/// Keys remembered by position (the first 64): an object's top-level keys, or a Windows
/// record's data names (the records of one source list the same in the same order).
#[derive(Debug, Default)]
pub(crate) struct KeyCache(Vec<(String, KeyInfo, Probe, Name)>);

/// A cached key kept for the life of the process (see [`intern`]), when it was asked
/// for with [`KeyCache::get_named`].
type Name = Option<&'static str>;

/// A key and its closing quote as one or two eight-byte words, to recognise it in a
/// line with a comparison or two instead of a call to `memcmp`.
#[derive(Debug, Clone, Copy, Default)]
struct Probe {
    /// Bytes compared: the key's length plus its closing quote; 0 for keys over 15
    /// bytes, which are compared as slices (so are keys near the end of a line).
    length: usize,
    first: u64,
    mask: u64,
    last: u64,
}

impl Probe {
    fn of(key: &str) -> Probe {
        let quoted = [key.as_bytes(), b"\""].concat();
        let length = quoted.len();
        if length > 16 {
            return Probe::default();
        }
        let mut first = [0; 8];
        let head = length.min(8);
        first[..head].copy_from_slice(&quoted[..head]);
        let mut last = [0; 8];
        if length > 8 {
            last.copy_from_slice(&quoted[length - 8..]);
        }
        Probe {
            length,
            first: u64::from_le_bytes(first),
            mask: if head == 8 {
                u64::MAX
            } else {
                (1 << (8 * head)) - 1
            },
            last: u64::from_le_bytes(last),
        }
    }

    fn matches(&self, bytes: &[u8], at: usize) -> bool {
        let word = |at: usize| {
            bytes
                .get(at..at + 8)
                .and_then(|s| <[u8; 8]>::try_from(s).ok())
                .map(u64::from_le_bytes)
        };
        word(at).is_some_and(|w| w & self.mask == self.first)
            && (self.length <= 8 || word(at + self.length - 8) == Some(self.last))
    }
}

impl KeyCache {
    /// The key last seen at `index` if the line holds it, quote included, at `at`: its
    /// length and meaning.
    #[inline(always)]
    pub fn expected_at(&self, index: usize, bytes: &[u8], at: usize) -> Option<(usize, KeyInfo)> {
        let (key, info, probe, _) = self.0.get(index)?;
        let found = if probe.length > 0 && at + probe.length.max(8) <= bytes.len() {
            probe.matches(bytes, at)
        } else {
            bytes[at..].starts_with(key.as_bytes()) && bytes.get(at + key.len()) == Some(&b'"')
        };
        found.then_some((key.len(), *info))
    }

    /// The meaning of `key`, found at `index`: one comparison when it is the key last
    /// seen there.
    pub fn get(&mut self, index: usize, key: &str) -> KeyInfo {
        self.get_or_fill(index, key, false).0
    }

    /// [`KeyCache::get`], and the key kept for the process: for the names events hold
    /// without a copy each (a cache used only this way, so that a hit has it too).
    pub fn get_named(&mut self, index: usize, key: &str) -> (KeyInfo, Name) {
        self.get_or_fill(index, key, true)
    }

    #[inline(always)]
    fn get_or_fill(&mut self, index: usize, key: &str, named: bool) -> (KeyInfo, Name) {
        if let Some((known, info, _, name)) = self.0.get(index) {
            if known == key {
                return (*info, *name);
            }
        }
        let info = KeyInfo {
            id: whoiswatch_event::registry::lookup(key),
            marks: Marks::of(key),
        };
        let name = if named { intern(key) } else { None };
        if index < 64 {
            if self.0.len() <= index {
                self.0
                    .resize(index + 1, (String::new(), info, Probe::default(), None));
            }
            // Reuse the slot's buffer: keys that vary by line do not allocate each time.
            let slot = &mut self.0[index];
            slot.0.clear();
            slot.0.push_str(key);
            slot.1 = info;
            slot.2 = Probe::of(key);
            slot.3 = name;
        }
        (info, name)
    }
}

thread_local! {
    static TOP_KEYS: RefCell<KeyCache> = RefCell::new(KeyCache::default());
}

/// The registry's answer for a key; `top` for a top-level key at `index`.
pub(crate) fn lookup_key(top: bool, index: usize, key: &str) -> Option<FieldId> {
    if !top || index >= 64 {
        return whoiswatch_event::registry::lookup(key);
    }
    TOP_KEYS.with(|cache| cache.borrow_mut().get(index, key).id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_found_where_it_was_and_nowhere_else() {
        let keys = [
            "",
            "a",
            "port",
            "sevenab",
            "eightabc",
            "destinationport",
            "logsourcetypename",
        ];
        let mut cache = KeyCache::default();
        for (index, key) in keys.iter().enumerate() {
            cache.get(index, key);
        }
        for (index, key) in keys.iter().enumerate() {
            let line = format!("{{\"{key}\":1,\"pad\":\"................\"}}");
            let found = cache.expected_at(index, line.as_bytes(), 2);
            assert_eq!(found.map(|(length, _)| length), Some(key.len()), "{key}");
            // One byte changed anywhere in the key or its quote: not found.
            for at in 2..2 + key.len() + 1 {
                let mut changed = line.clone().into_bytes();
                changed[at] ^= 1;
                assert!(
                    cache.expected_at(index, &changed, 2).is_none(),
                    "{key} {at}"
                );
            }
            // A longer key that starts the same: not found.
            let longer = format!("{{\"{key}x\":1,\"pad\":\"................\"}}");
            assert!(
                cache.expected_at(index, longer.as_bytes(), 2).is_none(),
                "{key}"
            );
        }
        // A key at the very end of the line.
        assert!(cache.expected_at(2, b"\"port\"", 1).is_some());
    }

    #[test]
    fn names_are_kept_once_and_only_short_ones() {
        let image = intern("Image").unwrap();
        assert_eq!(image, "Image");
        assert!(std::ptr::eq(image, intern(&String::from("Image")).unwrap()));
        assert_eq!(intern("image"), Some("image"));
        assert_eq!(intern(&"x".repeat(INTERNED_LENGTH + 1)), None);
        // A data name read at a position carries its kept name, hit or miss.
        let mut cache = KeyCache::default();
        assert_eq!(
            cache.get_named(0, "TargetFilename").1,
            Some("TargetFilename")
        );
        assert_eq!(
            cache.get_named(0, "TargetFilename").1,
            Some("TargetFilename")
        );
        assert_eq!(cache.get_named(0, "Hashes").1, Some("Hashes"));
        // A slot a plain lookup filled has no kept name (events copy the name then); a
        // key that comes new to a slot asked for by name is kept.
        cache.get(1, "Image");
        assert_eq!(cache.get_named(1, "Image").1, None);
        assert_eq!(cache.get_named(1, "User").1, Some("User"));
    }
}

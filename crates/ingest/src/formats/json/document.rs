//! A whole JSON document — an array of events, or `{"events": [...]}` as QRadar's Ariel
//! API returns — streamed element by element so memory stays flat.

use std::fmt;
use std::io::BufRead;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use whoiswatch_event::Position;

use super::dialects::handle_value;
use super::tree::Json;
use crate::emit::{Emitter, Stop};
use crate::error::ErrorKind;

/// Hands each element to the emitter; remembers a strict-mode stop.
struct Elements<'e, 'c> {
    emit: &'e mut Emitter<'c>,
    count: u64,
    stop: Option<Stop>,
}

impl Elements<'_, '_> {
    fn element(&mut self, value: Json<'_>) -> bool {
        self.count += 1;
        let text = value.render();
        match handle_value(&value, &text, Position::Item(self.count), self.emit) {
            Ok(()) => true,
            Err(stop) => {
                self.stop = Some(stop);
                false
            }
        }
    }
}

/// The top level: an array of events, an object holding `events`, or one event.
struct TopLevel<'a, 'e, 'c>(&'a mut Elements<'e, 'c>);

impl<'de> DeserializeSeed<'de> for TopLevel<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TopLevel<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of events or an object")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        stream_array(self.0, seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut members = Vec::new();
        let mut streamed = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "events" {
                map.next_value_seed(EventsArray(&mut *self.0))?;
                streamed = true;
            } else if streamed {
                map.next_value::<IgnoredAny>()?;
            } else {
                members.push((key.into(), map.next_value::<Json<'de>>()?));
            }
        }
        if !streamed && !self.0.element(Json::Object(members)) {
            return Err(de::Error::custom(STOP));
        }
        Ok(())
    }
}

const STOP: &str = "\u{0}stopped";

struct EventsArray<'a, 'e, 'c>(&'a mut Elements<'e, 'c>);

impl<'de> DeserializeSeed<'de> for EventsArray<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(TopLevel(self.0))
    }
}

fn stream_array<'de, A: SeqAccess<'de>>(
    elements: &mut Elements<'_, '_>,
    mut seq: A,
) -> Result<(), A::Error> {
    while let Some(value) = seq.next_element::<Json<'de>>()? {
        if !elements.element(value) {
            return Err(de::Error::custom(STOP));
        }
    }
    Ok(())
}

pub(crate) fn parse_document(reader: &mut dyn BufRead, emit: &mut Emitter<'_>) -> Result<(), Stop> {
    let mut counting = CountingReader {
        inner: reader,
        bytes: 0,
    };
    let result = {
        let mut elements = Elements {
            emit,
            count: 0,
            stop: None,
        };
        let mut deserializer = serde_json::Deserializer::from_reader(&mut counting);
        // Several documents may follow one another (evtx_dump's and jq's pretty output):
        // read until the end of the stream.
        let result = loop {
            if let Err(e) = TopLevel(&mut elements).deserialize(&mut deserializer) {
                break Err(e);
            }
            match deserializer.end() {
                Ok(()) => break Ok(()),
                Err(e) if e.is_syntax() && e.to_string().starts_with("trailing characters") => {}
                Err(e) => break Err(e),
            }
        };
        if let Some(stop) = elements.stop.take() {
            return Err(stop);
        }
        result.map(|()| elements.count)
    };
    emit.add_bytes(counting.bytes);
    match result {
        Ok(_) => Ok(()),
        Err(e) => {
            let kind = if e.is_eof() {
                ErrorKind::Truncated
            } else {
                ErrorKind::InvalidJson
            };
            emit.error(
                Position::Line(e.line() as u64),
                kind,
                format!("JSON document: {e}; the rest of the file was not read"),
            )
        }
    }
}

struct CountingReader<'r> {
    inner: &'r mut dyn BufRead,
    bytes: u64,
}

impl std::io::Read for CountingReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
}

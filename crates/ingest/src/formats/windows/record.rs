//! A Windows event as read, before normalization: the System header and the
//! EventData/UserData name–value pairs. [`RecordBuilder`] turns a stream of elements into
//! one, so that Event XML text and EVTX BinXML (see `binxml`) read the same way.

use std::borrow::Cow;

use whoiswatch_event::Timestamp;

use crate::coerce::parse_time;
use crate::formats::xml::{attribute, Token, Tokenizer};

#[derive(Debug, Default)]
pub(crate) struct WinRecord<'a> {
    pub provider: Option<Cow<'a, str>>,
    pub event_id: Option<i64>,
    pub channel: Option<Cow<'a, str>>,
    pub computer: Option<Cow<'a, str>>,
    pub time: Option<Timestamp>,
    pub received: Option<Timestamp>,
    pub record_id: Option<i64>,
    pub level: Option<i64>,
    pub user_sid: Option<Cow<'a, str>>,
    pub message: Option<Cow<'a, str>>,
    pub data: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    /// Extra fields the reader adds to the event after normalizing (room is made for
    /// them at once).
    pub more_extra: usize,
}

/// The System values a [`WinRecord`] holds parsed, as their text.
#[derive(Debug, Default)]
pub(crate) struct RawNumbers<'a> {
    pub time: Option<Cow<'a, str>>,
    pub event_id: Option<Cow<'a, str>>,
    pub record_id: Option<Cow<'a, str>>,
    pub level: Option<Cow<'a, str>>,
}

impl RawNumbers<'_> {
    /// Parses them into `record`.
    pub(crate) fn parse_into(&self, record: &mut WinRecord<'_>) {
        let int = |v: &Option<Cow<'_, str>>| v.as_deref().and_then(|v| v.trim().parse().ok());
        record.time = self.time.as_deref().and_then(parse_time);
        record.event_id = int(&self.event_id);
        record.record_id = int(&self.record_id);
        record.level = int(&self.level);
    }
}

/// Builds a [`WinRecord`] from the elements of one `<Event>`, in document order.
#[derive(Default)]
pub(crate) struct RecordBuilder<'a> {
    record: WinRecord<'a>,
    numbers: RawNumbers<'a>,
    /// The open elements, innermost last.
    stack: Vec<&'a str>,
    /// The Data element being read: its name.
    data_name: Option<Cow<'a, str>>,
    /// The text of the element being read, so far.
    text: Option<Cow<'a, str>>,
    unnamed_data: usize,
    saw_event: bool,
}

impl<'a> RecordBuilder<'a> {
    /// An element starts; `attribute` looks up one of its attributes by name.
    pub(crate) fn start(
        &mut self,
        name: &'a str,
        attribute: impl Fn(&str) -> Option<Cow<'a, str>>,
        empty: bool,
    ) {
        let parent = self.stack.last().copied();
        self.saw_event |= name == "Event";
        match name {
            "Provider" => self.record.provider = attribute("Name"),
            "TimeCreated" => self.numbers.time = attribute("SystemTime"),
            "Security" => self.record.user_sid = attribute("UserID"),
            "Data" => {
                self.data_name = Some(attribute("Name").unwrap_or_else(|| {
                    self.unnamed_data += 1;
                    Cow::Owned(format!("param{}", self.unnamed_data))
                }));
            }
            _ if parent.is_some_and(|p| p != "System" && p != "EventData")
                && self.stack.contains(&"UserData") =>
            {
                self.data_name = Some(Cow::Borrowed(name));
            }
            _ => {}
        }
        self.text = None;
        if empty {
            if let Some(name) = self.data_name.take() {
                self.record.data.push((name, Cow::Borrowed("")));
            }
        } else {
            self.stack.push(name);
        }
    }

    /// Text inside the current element (several pieces are joined).
    pub(crate) fn text(&mut self, text: Cow<'a, str>) {
        self.text = Some(match self.text.take() {
            None => text,
            Some(previous) => Cow::Owned(format!("{previous}{text}")),
        });
    }

    /// The current element ends; `name` must be the one that is open.
    pub(crate) fn end(&mut self, name: &str) -> Result<(), String> {
        if self.stack.pop() != Some(name) {
            return Err(format!(
                "closing tag </{name}> does not match the open element"
            ));
        }
        let value = self.text.take();
        let parent = self.stack.last().copied();
        if let Some(data) = self.data_name.take() {
            self.record
                .data
                .push((data, value.unwrap_or(Cow::Borrowed(""))));
            return Ok(());
        }
        let Some(value) = value else { return Ok(()) };
        let record = &mut self.record;
        if parent == Some("System") {
            let numbers = &mut self.numbers;
            match name {
                "EventID" => numbers.event_id = Some(value),
                "Channel" => record.channel = Some(value),
                "Computer" => record.computer = Some(value),
                "EventRecordID" => numbers.record_id = Some(value),
                "Level" => numbers.level = Some(value),
                _ => {}
            }
        } else if name == "Message" && parent == Some("RenderingInfo") {
            record.message = Some(value);
        }
        Ok(())
    }

    /// The record, once every element is closed.
    pub(crate) fn finish(self) -> Result<WinRecord<'a>, String> {
        let (mut record, numbers) = self.finish_raw()?;
        numbers.parse_into(&mut record);
        Ok(record)
    }

    /// The record with its times and numbers still text (see [`RawNumbers`]).
    pub(crate) fn finish_raw(self) -> Result<(WinRecord<'a>, RawNumbers<'a>), String> {
        if !self.stack.is_empty() {
            return Err(format!(
                "truncated: <{}> is never closed",
                self.stack.join("><")
            ));
        }
        if !self.saw_event {
            return Err("no <Event> element".into());
        }
        Ok((self.record, self.numbers))
    }
}

/// Parse one `<Event>…</Event>` element.
pub(crate) fn parse_event_xml(xml: &str) -> Result<WinRecord<'_>, String> {
    let mut builder = RecordBuilder::default();
    let mut tokens = Tokenizer::new(xml);
    while let Some(token) = tokens.next_token()? {
        match token {
            Token::Start {
                name,
                attributes,
                empty,
            } => builder.start(name, |wanted| attribute(attributes, wanted), empty),
            Token::Text(t) => builder.text(t),
            Token::End { name } => builder.end(name)?,
        }
    }
    builder.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_data_and_self_closing() {
        let xml = r#"<Event><System><Provider Name="P"/><EventID>7</EventID></System><UserData><Log><Path>C:\x</Path><Empty/></Log></UserData></Event>"#;
        let r = parse_event_xml(xml).unwrap();
        assert_eq!(r.event_id, Some(7));
        assert_eq!(
            r.data,
            vec![("Path".into(), "C:\\x".into()), ("Empty".into(), "".into())]
        );
        assert!(parse_event_xml("<Event><System><EventID>1</EventID>")
            .unwrap_err()
            .contains("truncated"));
    }
}

//! A Windows event as read, before normalization: the System header and the
//! EventData/UserData name–value pairs.

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
}

/// Parse one `<Event>…</Event>` element.
pub(crate) fn parse_event_xml(xml: &str) -> Result<WinRecord<'_>, String> {
    let mut record = WinRecord::default();
    let mut tokens = Tokenizer::new(xml);
    // The open elements, innermost last.
    let mut stack: Vec<&str> = Vec::with_capacity(8);
    // The Data element being read: its name and text so far.
    let mut data_name: Option<Cow<'_, str>> = None;
    let mut text: Option<Cow<'_, str>> = None;
    let mut unnamed_data = 0;
    let mut saw_event = false;
    while let Some(token) = tokens.next_token()? {
        match token {
            Token::Start {
                name,
                attributes,
                empty,
            } => {
                let parent = stack.last().copied();
                saw_event |= name == "Event";
                match name {
                    "Provider" => {
                        record.provider = attribute(attributes, "Name");
                    }
                    "TimeCreated" => {
                        record.time =
                            attribute(attributes, "SystemTime").and_then(|t| parse_time(&t));
                    }
                    "Security" => record.user_sid = attribute(attributes, "UserID"),
                    "Data" => {
                        data_name = Some(attribute(attributes, "Name").unwrap_or_else(|| {
                            unnamed_data += 1;
                            Cow::Owned(format!("param{unnamed_data}"))
                        }));
                    }
                    _ if parent.is_some_and(|p| p != "System" && p != "EventData")
                        && in_user_data(&stack) =>
                    {
                        data_name = Some(Cow::Borrowed(name));
                    }
                    _ => {}
                }
                text = None;
                if empty {
                    if let Some(name) = data_name.take() {
                        record.data.push((name, Cow::Borrowed("")));
                    }
                } else {
                    stack.push(name);
                }
            }
            Token::Text(t) => {
                text = Some(match text.take() {
                    None => t,
                    Some(previous) => Cow::Owned(format!("{previous}{t}")),
                });
            }
            Token::End { name } => {
                if stack.pop() != Some(name) {
                    return Err(format!(
                        "closing tag </{name}> does not match the open element"
                    ));
                }
                let value = text.take();
                let parent = stack.last().copied();
                if let Some(data) = data_name.take() {
                    record.data.push((data, value.unwrap_or(Cow::Borrowed(""))));
                    continue;
                }
                let Some(value) = value else { continue };
                if parent == Some("System") {
                    let v = value.trim();
                    match name {
                        "EventID" => record.event_id = v.parse().ok(),
                        "Channel" => record.channel = Some(value),
                        "Computer" => record.computer = Some(value),
                        "EventRecordID" => record.record_id = v.parse().ok(),
                        "Level" => record.level = v.parse().ok(),
                        _ => {}
                    }
                } else if name == "Message" && parent == Some("RenderingInfo") {
                    record.message = Some(value);
                }
            }
        }
    }
    if !stack.is_empty() {
        return Err(format!("truncated: <{}> is never closed", stack.join("><")));
    }
    if !saw_event {
        return Err("no <Event> element".into());
    }
    Ok(record)
}

fn in_user_data(stack: &[&str]) -> bool {
    stack.contains(&"UserData")
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

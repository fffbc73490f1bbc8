//! A small XML tokenizer for event records: elements, attributes, text with entities and
//! CDATA. Windows Event XML needs no more (no DTDs, no namespaces that matter).

use std::borrow::Cow;

#[derive(Debug, PartialEq)]
pub(crate) enum Token<'a> {
    Start {
        name: &'a str,
        attributes: &'a str,
        empty: bool,
    },
    End {
        name: &'a str,
    },
    Text(Cow<'a, str>),
}

pub(crate) struct Tokenizer<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Tokenizer<'a> {
    pub fn new(text: &'a str) -> Self {
        Tokenizer { text, at: 0 }
    }

    /// The next token, `Ok(None)` at the end, or a description of what is malformed.
    pub fn next_token(&mut self) -> Result<Option<Token<'a>>, String> {
        let rest = &self.text[self.at..];
        if rest.is_empty() {
            return Ok(None);
        }
        if !rest.starts_with('<') {
            let end = memchr::memchr(b'<', rest.as_bytes()).unwrap_or(rest.len());
            self.at += end;
            return Ok(Some(Token::Text(unescape(&rest[..end]))));
        }
        if let Some(body) = rest.strip_prefix("<![CDATA[") {
            let end = body.find("]]>").ok_or("unterminated CDATA section")?;
            self.at += 9 + end + 3;
            return Ok(Some(Token::Text(Cow::Borrowed(&body[..end]))));
        }
        if rest.starts_with("<!--") {
            let end = rest.find("-->").ok_or("unterminated comment")?;
            self.at += end + 3;
            return self.next_token();
        }
        if rest.starts_with("<?") || rest.starts_with("<!") {
            let end = rest.find('>').ok_or("unterminated declaration")?;
            self.at += end + 1;
            return self.next_token();
        }
        let end = find_tag_end(rest).ok_or("unterminated tag")?;
        let inner = &rest[1..end];
        self.at += end + 1;
        if let Some(name) = inner.strip_prefix('/') {
            return Ok(Some(Token::End {
                name: local_name(name.trim()),
            }));
        }
        let (inner, empty) = match inner.strip_suffix('/') {
            Some(inner) => (inner, true),
            None => (inner, false),
        };
        let name_end = inner
            .find(|c: char| c.is_ascii_whitespace())
            .unwrap_or(inner.len());
        let name = &inner[..name_end];
        if name.is_empty() {
            return Err("empty tag name".into());
        }
        Ok(Some(Token::Start {
            name: local_name(name),
            attributes: &inner[name_end..],
            empty,
        }))
    }
}

/// The `>` that closes a tag, skipping quoted attribute values.
fn find_tag_end(text: &str) -> Option<usize> {
    let mut quote: Option<u8> = None;
    for (index, byte) in text.bytes().enumerate() {
        match (quote, byte) {
            (Some(q), b) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(byte),
            (None, b'>') => return Some(index),
            (None, b'<') if index > 0 => return None,
            _ => {}
        }
    }
    None
}

fn local_name(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// The value of one attribute, unescaped.
pub(crate) fn attribute<'a>(attributes: &'a str, wanted: &str) -> Option<Cow<'a, str>> {
    let mut rest = attributes;
    loop {
        rest = rest.trim_start();
        let eq = rest.find('=')?;
        let name = rest[..eq].trim();
        let after = rest[eq + 1..].trim_start();
        let quote = after.chars().next()?;
        if quote != '"' && quote != '\'' {
            return None;
        }
        let close = after[1..].find(quote)?;
        let value = &after[1..1 + close];
        if local_name(name).eq_ignore_ascii_case(wanted) {
            return Some(unescape(value));
        }
        rest = &after[close + 2..];
    }
}

/// Replace the five predefined entities and numeric character references.
pub(crate) fn unescape(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(semi) = rest.find(';').filter(|s| *s <= 12) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let replacement = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ if entity.starts_with("#x") || entity.starts_with("#X") => {
                u32::from_str_radix(&entity[2..], 16)
                    .ok()
                    .and_then(char::from_u32)
            }
            _ if entity.starts_with('#') => entity[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match replacement {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_attributes_entities() {
        let mut t = Tokenizer::new(
            r#"<?xml version="1.0"?><a x='1' y="a&amp;b"><b/>t&lt;&#65;<![CDATA[<raw>]]></a>"#,
        );
        let Some(Token::Start {
            name,
            attributes,
            empty,
        }) = t.next_token().unwrap()
        else {
            panic!()
        };
        assert_eq!((name, empty), ("a", false));
        assert_eq!(attribute(attributes, "y").unwrap(), "a&b");
        assert_eq!(attribute(attributes, "x").unwrap(), "1");
        assert!(matches!(
            t.next_token().unwrap(),
            Some(Token::Start {
                name: "b",
                empty: true,
                ..
            })
        ));
        assert_eq!(t.next_token().unwrap(), Some(Token::Text("t<A".into())));
        assert_eq!(t.next_token().unwrap(), Some(Token::Text("<raw>".into())));
        assert_eq!(t.next_token().unwrap(), Some(Token::End { name: "a" }));
        assert_eq!(t.next_token().unwrap(), None);
        assert!(Tokenizer::new("<a x='1").next_token().is_err());
    }
}

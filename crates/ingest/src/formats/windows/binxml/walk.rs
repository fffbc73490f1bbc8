//! The tree walk: a template's elements visited in order with the record's values, each
//! start, text and end handed to [`RecordBuilder`] (after the walk, once the texts stop
//! moving) and written out as XML. Slower than a compiled program, and general: nested
//! raw BinXML, string arrays (which repeat their element) and text mixed with values.

use std::borrow::Cow;
use std::ops::Range;

use super::template::{self, Chunk, Content, Element, Node, Template};
use super::values::{ty, write_text, Value};
use super::{escape, instance_body, single_instance, Output, MAX_DEPTH};
use crate::formats::windows::record::{RecordBuilder, WinRecord};

/// An element's event in document order, its text kept in [`Output::texts`].
enum Token {
    Start {
        name: &'static str,
        /// Its attributes in [`Buffers::attributes`].
        attributes: Range<usize>,
        empty: bool,
    },
    Text(Text),
    End(&'static str),
}

#[derive(Clone)]
enum Text {
    Static(&'static str),
    /// A range of [`Output::texts`].
    Value(Range<usize>),
}

/// The walk's own buffers, kept from record to record: the elements' events, and the
/// attributes of their start tags.
#[derive(Default)]
pub(super) struct Buffers {
    tokens: Vec<Token>,
    attributes: Vec<(&'static str, Text)>,
}

/// Walks the instance of `template` with `values`: the record and its XML.
pub(super) fn read<'s>(
    chunk: Chunk<'_>,
    out: &'s mut Output,
    buffers: &'s mut Buffers,
    template: &Template,
    values: &[Value<'_>],
) -> Option<(WinRecord<'s>, &'s str)> {
    buffers.tokens.clear();
    buffers.attributes.clear();
    let mut walk = Walk {
        chunk,
        out,
        buffers,
    };
    walk.template(template, values, 0)?;
    let Walk { out, buffers, .. } = walk;
    let (out, buffers): (&'s Output, &'s Buffers) = (out, buffers);
    Some((build(out, buffers)?, std::str::from_utf8(&out.xml).ok()?))
}

/// The record the tokens describe.
fn build<'s>(out: &'s Output, buffers: &'s Buffers) -> Option<WinRecord<'s>> {
    let texts = std::str::from_utf8(&out.texts).ok()?;
    let text = |t: &Text| -> Cow<'_, str> {
        match t {
            Text::Static(s) => Cow::Borrowed(*s),
            Text::Value(range) => Cow::Borrowed(texts.get(range.clone()).unwrap_or_default()),
        }
    };
    let mut builder = RecordBuilder::default();
    for token in &buffers.tokens {
        match token {
            Token::Start {
                name,
                attributes,
                empty,
            } => {
                let attributes = &buffers.attributes[attributes.clone()];
                let lookup = |wanted: &str| {
                    attributes
                        .iter()
                        .find(|(name, _)| *name == wanted)
                        .map(|(_, value)| text(value))
                };
                builder.start(name, lookup, *empty);
            }
            Token::Text(t) => builder.text(text(t)),
            Token::End(name) => builder.end(name).ok()?,
        }
    }
    builder.finish().ok()
}

struct Walk<'c, 's> {
    chunk: Chunk<'c>,
    out: &'s mut Output,
    buffers: &'s mut Buffers,
}

impl Walk<'_, '_> {
    fn template(&mut self, template: &Template, values: &[Value<'_>], depth: usize) -> Option<()> {
        // A template's root is there whatever its dependency says.
        for node in &template.nodes {
            match node {
                Node::Element(root) => self.element(root, values, depth)?,
                text => self.nodes(std::slice::from_ref(text), values, depth)?,
            }
        }
        Some(())
    }

    /// Appends a value's text to the texts; its range there, or `None` for no text.
    fn value_text(&mut self, value: &Value<'_>) -> Option<Option<Range<usize>>> {
        let start = self.out.texts.len();
        write_text(value, &mut self.out.texts)?;
        Some((self.out.texts.len() > start).then_some(start..self.out.texts.len()))
    }

    fn push_text(&mut self, text: Text) {
        let s = match &text {
            Text::Static(s) => s.as_bytes(),
            Text::Value(range) => &self.out.texts[range.clone()],
        };
        escape(&mut self.out.xml, s, false);
        self.buffers.tokens.push(Token::Text(text));
    }

    fn nodes(&mut self, nodes: &[Node], values: &[Value<'_>], depth: usize) -> Option<()> {
        for node in nodes {
            match node {
                Node::Element(element) if left_out(element, values) => {}
                Node::Element(element) => self.element(element, values, depth)?,
                Node::Text(Content::Static(text)) => self.push_text(Text::Static(text)),
                Node::Text(Content::Inline(text)) => {
                    if !text.is_empty() {
                        let start = self.out.texts.len();
                        self.out.texts.extend_from_slice(text.as_bytes());
                        self.push_text(Text::Value(start..self.out.texts.len()));
                    }
                }
                Node::Text(Content::Sub(index)) => {
                    let Some(value) = values.get(*index as usize) else {
                        continue;
                    };
                    if value.ty == ty::BIN_XML {
                        self.nested(value, depth)?;
                        continue;
                    }
                    if let Some(range) = self.value_text(value)? {
                        self.push_text(Text::Value(range));
                    }
                }
            }
        }
        Some(())
    }

    /// A value that is BinXML of its own: one template instance, or elements written out
    /// with their values inline.
    fn nested(&mut self, value: &Value<'_>, depth: usize) -> Option<()> {
        let stream = value.offset..value.offset + value.bytes.len();
        if instance_body(value.bytes).is_some() {
            if depth >= MAX_DEPTH {
                return None;
            }
            let (template, values) = single_instance(self.chunk, stream)?;
            return self.template(&template, &values, depth + 1);
        }
        match value.bytes {
            [] => Some(()),
            [0x0f, ..] | [0x01 | 0x41, ..] => {
                let tree = template::elements(self.chunk, stream.start, stream.end)?;
                self.nodes(&tree.nodes, &[], depth)
            }
            _ => None,
        }
    }

    fn element(&mut self, element: &Element, values: &[Value<'_>], depth: usize) -> Option<()> {
        // A string array in the element's text repeats the element once per string
        // (MS-EVEN6 3.1.4.7.5).
        let array = element.text_subs.iter().find_map(|&index| {
            values
                .get(index as usize)
                .filter(|v| v.ty == ty::STRING_ARRAY)
                .map(|v| (index as usize, *v))
        });
        if let Some((index, array)) = array {
            let mut each = values.to_vec();
            let items = string_array(&array)?;
            if items.is_empty() {
                each[index] = Value {
                    ty: ty::NULL,
                    bytes: &[],
                    offset: array.offset,
                };
                return self.element(element, &each, depth);
            }
            for item in items {
                each[index] = item;
                self.element(element, &each, depth)?;
            }
            return Some(());
        }
        let first = self.buffers.attributes.len();
        for attribute in &element.attributes {
            let value = match attribute.value.as_slice() {
                [Content::Static(text)] => Text::Static(text),
                [Content::Sub(index)] => {
                    // An attribute whose value is null or empty is left out, as Windows does.
                    let Some(value) = values.get(*index as usize).filter(|v| !v.is_null()) else {
                        continue;
                    };
                    match self.value_text(value)? {
                        Some(range) => Text::Value(range),
                        None => continue,
                    }
                }
                parts => {
                    let start = self.out.texts.len();
                    for part in parts {
                        match part {
                            Content::Static(s) => self.out.texts.extend_from_slice(s.as_bytes()),
                            Content::Inline(s) => self.out.texts.extend_from_slice(s.as_bytes()),
                            Content::Sub(index) => {
                                if let Some(value) = values.get(*index as usize) {
                                    write_text(value, &mut self.out.texts)?;
                                }
                            }
                        }
                    }
                    if self.out.texts.len() == start {
                        continue;
                    }
                    Text::Value(start..self.out.texts.len())
                }
            };
            self.buffers.attributes.push((attribute.name, value));
        }
        let (out, buffers) = (&mut *self.out, &mut *self.buffers);
        let empty = element.empty;
        match &element.start_tag {
            Some(tag) => out.xml.extend_from_slice(tag.as_bytes()),
            None => {
                out.xml.push(b'<');
                out.xml.extend_from_slice(element.name.as_bytes());
                for (name, value) in &buffers.attributes[first..] {
                    out.xml.push(b' ');
                    out.xml.extend_from_slice(name.as_bytes());
                    out.xml.extend_from_slice(b"='");
                    let text = match value {
                        Text::Static(s) => s.as_bytes(),
                        Text::Value(range) => &out.texts[range.clone()],
                    };
                    escape(&mut out.xml, text, true);
                    out.xml.push(b'\'');
                }
                out.xml.extend_from_slice(if empty { b"/>" } else { b">" });
            }
        }
        buffers.tokens.push(Token::Start {
            name: element.name,
            attributes: first..buffers.attributes.len(),
            empty,
        });
        if empty {
            return Some(());
        }
        self.nodes(&element.children, values, depth)?;
        self.out.xml.extend_from_slice(element.end_tag.as_bytes());
        self.buffers.tokens.push(Token::End(element.name));
        Some(())
    }
}

/// The strings of a string array: UTF-16, each ended by a NUL.
fn string_array<'a>(array: &Value<'a>) -> Option<Vec<Value<'a>>> {
    let bytes = array.bytes;
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    let mut items = Vec::new();
    let mut start = 0;
    for unit in (0..bytes.len()).step_by(2) {
        if bytes[unit] == 0 && bytes[unit + 1] == 0 {
            items.push(Value {
                ty: ty::UTF16,
                bytes: &bytes[start..unit],
                offset: array.offset + start,
            });
            start = unit + 2;
        }
    }
    if start < bytes.len() {
        items.push(Value {
            ty: ty::UTF16,
            bytes: &bytes[start..],
            offset: array.offset + start,
        });
    }
    Some(items)
}

/// Whether an element depends on a value that is null (MS-EVEN6 2.2.12: not rendered).
fn left_out(element: &Element, values: &[Value<'_>]) -> bool {
    element
        .dependency
        .and_then(|d| values.get(d as usize))
        .is_some_and(|value| value.ty == ty::NULL)
}

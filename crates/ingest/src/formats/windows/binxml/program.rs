//! A template compiled for the common case: its XML as literal runs between the values,
//! and where each field of the record comes from (a fixed string, or a value). The
//! record's fields are found by running [`RecordBuilder`] once over the template with
//! placeholders for the values, so that Event XML, the tree walk and this program agree on
//! what each element means. A value that is itself a template instance runs that
//! template's program, compiled for the elements around it. Templates this cannot express
//! (a field of text mixed with a value, a field from a value used twice, fixed data inside
//! an element that depends on a value) get no program, and a record whose values do not
//! fit (string arrays, nested BinXML that is not one template instance) is walked instead.

use std::borrow::Cow;
use std::ops::Range;
use std::rc::Rc;

use super::template::{self, Chunk, Content, Element, Node, Template};
use super::values::{ty, write_text, Value};
use super::{attribute_xml, escape, single_instance, text_xml, Output, MAX_DEPTH};
use crate::formats::windows::record::{RawNumbers, RecordBuilder, WinRecord};

enum Op {
    /// Literal XML: a range of [`Program::literals`].
    Literal(Range<u32>),
    /// ` name='value'`, left out when the value is null or empty; `prefix` is ` name='`.
    Attribute { index: u16, prefix: Range<u32> },
    /// An element that depends on a value: when that value is null, skip to op `to`.
    Guard { index: u16, to: u32 },
    /// A value as element text; a value that is BinXML of its own (a nested template
    /// instance) is emitted inside the elements `context` (outermost first).
    Text {
        index: u16,
        context: Rc<[&'static str]>,
    },
}

/// Where a field's text comes from.
#[derive(Clone)]
enum Source {
    Absent,
    Fixed(Box<str>),
    /// A value, present only if the values these depend on are not null.
    Value {
        index: u16,
        guards: Box<[u16]>,
    },
    /// The name of an unnamed Data element: `param` and its number among those present.
    Unnamed,
}

pub(super) struct Program {
    ops: Vec<Op>,
    literals: String,
    provider: Source,
    channel: Source,
    computer: Source,
    user_sid: Source,
    message: Source,
    time: Source,
    event_id: Source,
    record_id: Source,
    level: Source,
    /// EventData/UserData: name and value.
    data: Vec<(Source, Source)>,
}

/// Placeholder text for value `index` in the symbolic run (private-use characters).
fn placeholder(index: u16) -> String {
    format!("\u{e000}{index}\u{e001}")
}

/// The name the symbolic run gives a Data element without one (numbered at run time).
const UNNAMED: &str = "\u{e002}";

impl Program {
    /// Compiles `template` for use inside the elements `context` (empty for a record's
    /// own template).
    pub(super) fn compile(template: &Template, context: &[&'static str]) -> Option<Program> {
        let mut compiler = Compiler {
            open: context.to_vec(),
            ..Compiler::default()
        };
        for node in &template.nodes {
            match node {
                Node::Element(root) => compiler.element(root, true)?,
                _ => return None,
            }
        }
        // The symbolic run: which field each value (or fixed string) becomes.
        let mut builder = RecordBuilder::default();
        for name in context {
            builder.start(name, |_| None, false);
        }
        for node in &template.nodes {
            if let Node::Element(root) = node {
                symbolic(root, &mut builder)?;
            }
        }
        for name in context.iter().rev() {
            builder.end(name).ok()?;
        }
        let (record, numbers) = builder.finish_raw().ok()?;
        let source = |text: &Option<Cow<'_, str>>| compiler.source(text.as_deref());
        let data = record
            .data
            .iter()
            .map(|(name, value)| {
                let value = compiler.source(Some(value))?;
                // Data with no value of its own inside a guarded element: its presence
                // depends on a value this program does not follow.
                if !compiler.guarded.is_empty() && !matches!(value, Source::Value { .. }) {
                    return None;
                }
                Some((compiler.source(Some(name))?, value))
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Program {
            provider: source(&record.provider)?,
            channel: source(&record.channel)?,
            computer: source(&record.computer)?,
            user_sid: source(&record.user_sid)?,
            message: source(&record.message)?,
            time: source(&numbers.time)?,
            event_id: source(&numbers.event_id)?,
            record_id: source(&numbers.record_id)?,
            level: source(&numbers.level)?,
            data,
            ops: compiler.ops,
            literals: compiler.literals,
        })
    }

    /// Writes the instance's XML onto `out.xml` and the text of every value a field needs
    /// onto `out.texts`; the frame says where they are. `None` when a value does not fit
    /// (an array, a type not rendered, BinXML that is not one template instance): the
    /// record is walked instead.
    pub(super) fn emit(
        &self,
        chunk: Chunk<'_>,
        values: &[Value<'_>],
        out: &mut Output,
        depth: usize,
    ) -> Option<Frame> {
        let mut frame = Frame::new(values);
        let mut at = 0;
        while let Some(op) = self.ops.get(at) {
            at += 1;
            match op {
                Op::Literal(range) => {
                    out.xml
                        .extend_from_slice(&self.literals.as_bytes()[as_usize(range)]);
                }
                Op::Attribute { index, prefix } => {
                    if values.get(*index as usize).is_none_or(Value::is_null) {
                        continue;
                    }
                    let decoded = frame.decode(values, *index, &mut out.texts)?;
                    let Some(range) = decoded.filter(|r| !r.is_empty()) else {
                        continue;
                    };
                    out.xml
                        .extend_from_slice(&self.literals.as_bytes()[as_usize(prefix)]);
                    escape(&mut out.xml, &out.texts[range], true);
                    out.xml.push(b'\'');
                }
                Op::Guard { index, to } => {
                    if frame.is_null(*index) {
                        at = *to as usize;
                    }
                }
                Op::Text { index, context } => {
                    let Some(value) = values.get(*index as usize) else {
                        continue;
                    };
                    if value.ty != ty::BIN_XML {
                        if let Some(range) = frame.decode(values, *index, &mut out.texts)? {
                            escape(&mut out.xml, &out.texts[range], false);
                        }
                        continue;
                    }
                    if value.bytes.is_empty() {
                        continue;
                    }
                    // A nested instance's data goes after this one's, which must have none
                    // (else the order could differ from the document's).
                    if depth >= MAX_DEPTH || !self.data.is_empty() {
                        return None;
                    }
                    let stream = value.offset..value.offset + value.bytes.len();
                    let (template, nested_values) = single_instance(chunk, stream)?;
                    let program = template::program_in(&template, context)?;
                    let inner = program.emit(chunk, &nested_values, out, depth + 1)?;
                    frame.nested.push((program, inner));
                }
            }
        }
        // Every value a field needs, decoded.
        for source in self.sources() {
            if let Source::Value { index, .. } = source {
                frame.decode(values, *index, &mut out.texts)?;
            }
        }
        Some(frame)
    }

    /// Sets the fields this instance (and those nested in it) give `record`, their text
    /// in `texts`.
    pub(super) fn fields<'t>(
        &'t self,
        frame: &'t Frame,
        texts: &'t str,
        record: &mut WinRecord<'t>,
        numbers: &mut RawNumbers<'t>,
        unnamed: &mut usize,
    ) -> Option<()> {
        let text = |source: &'t Source| -> Option<Cow<'t, str>> {
            match source {
                Source::Absent | Source::Unnamed => None,
                Source::Fixed(text) => Some(Cow::Borrowed(&**text)),
                Source::Value { index, guards } => {
                    if guards.iter().any(|&g| frame.is_null(g)) {
                        return None;
                    }
                    let range = frame.text(*index)?;
                    Some(Cow::Borrowed(&texts[range])).filter(|t| !t.is_empty())
                }
            }
        };
        let set = |slot: &mut Option<Cow<'t, str>>, source: &'t Source| {
            if let Some(value) = text(source) {
                *slot = Some(value);
            }
        };
        set(&mut record.provider, &self.provider);
        set(&mut record.channel, &self.channel);
        set(&mut record.computer, &self.computer);
        set(&mut record.user_sid, &self.user_sid);
        set(&mut record.message, &self.message);
        set(&mut numbers.time, &self.time);
        set(&mut numbers.event_id, &self.event_id);
        set(&mut numbers.record_id, &self.record_id);
        set(&mut numbers.level, &self.level);
        for (name, value) in &self.data {
            if let Source::Value { guards, .. } = value {
                if guards.iter().any(|&g| frame.is_null(g)) {
                    continue;
                }
            }
            let name = match name {
                Source::Unnamed => {
                    *unnamed += 1;
                    Cow::Owned(format!("param{unnamed}"))
                }
                name => text(name)?,
            };
            record
                .data
                .push((name, text(value).unwrap_or(Cow::Borrowed(""))));
        }
        for (program, inner) in &frame.nested {
            program.fields(inner, texts, record, numbers, unnamed)?;
        }
        Some(())
    }

    fn sources(&self) -> impl Iterator<Item = &Source> {
        [
            &self.provider,
            &self.channel,
            &self.computer,
            &self.user_sid,
            &self.message,
            &self.time,
            &self.event_id,
            &self.record_id,
            &self.level,
        ]
        .into_iter()
        .chain(self.data.iter().flat_map(|(name, value)| [name, value]))
    }
}

/// Where an instance's values went: each value's state, and the instances nested in it.
pub(super) struct Frame {
    slots: Vec<Slot>,
    nested: Vec<(Rc<Program>, Frame)>,
}

#[derive(Clone)]
enum Slot {
    Null,
    /// Not decoded (yet).
    Unread,
    /// Its text: a range of the texts.
    Text(u32, u32),
}

impl Frame {
    fn new(values: &[Value<'_>]) -> Frame {
        let slot = |v: &Value<'_>| {
            if v.ty == ty::NULL {
                Slot::Null
            } else {
                Slot::Unread
            }
        };
        Frame {
            slots: values.iter().map(slot).collect(),
            nested: Vec::new(),
        }
    }

    fn is_null(&self, index: u16) -> bool {
        matches!(self.slots.get(index as usize), Some(Slot::Null))
    }

    /// The decoded value's text, if any.
    fn text(&self, index: u16) -> Option<Range<usize>> {
        match self.slots.get(index as usize)? {
            Slot::Text(start, end) => Some(*start as usize..*end as usize),
            _ => None,
        }
    }

    /// The value's text, appended to `texts` the first time; `None` when it does not fit.
    fn decode(
        &mut self,
        values: &[Value<'_>],
        index: u16,
        texts: &mut Vec<u8>,
    ) -> Option<Option<Range<usize>>> {
        let i = index as usize;
        let Some(value) = values.get(i) else {
            return Some(None);
        };
        match self.slots[i] {
            Slot::Null => return Some(None),
            Slot::Text(start, end) => return Some(Some(start as usize..end as usize)),
            Slot::Unread => {}
        }
        if matches!(value.ty, ty::BIN_XML | ty::STRING_ARRAY) {
            return None;
        }
        let start = texts.len();
        write_text(value, texts)?;
        let end = texts.len();
        self.slots[i] = Slot::Text(u32::try_from(start).ok()?, u32::try_from(end).ok()?);
        Some(Some(start..end))
    }
}

fn as_usize(range: &Range<u32>) -> Range<usize> {
    range.start as usize..range.end as usize
}

#[derive(Default)]
struct Compiler {
    ops: Vec<Op>,
    literals: String,
    /// The elements open at this point, outermost first.
    open: Vec<&'static str>,
    /// The dependencies of the elements open at this point.
    open_guards: Vec<u16>,
    /// Every value used, with the dependencies around it; a value used twice is `None`.
    uses: Vec<Option<Box<[u16]>>>,
    /// The dependencies seen anywhere.
    guarded: Vec<u16>,
    /// Ops before this one are not extended (a guard's target lies between).
    barrier: usize,
}

impl Compiler {
    fn literal(&mut self, text: &str) {
        let start = self.literals.len() as u32;
        self.literals.push_str(text);
        let end = self.literals.len() as u32;
        let mergeable = self.ops.len() > self.barrier;
        match self.ops.last_mut() {
            Some(Op::Literal(range)) if mergeable && range.end == start => range.end = end,
            _ => self.ops.push(Op::Literal(start..end)),
        }
    }

    fn use_value(&mut self, index: u16) {
        let i = index as usize;
        if self.uses.len() <= i {
            self.uses.resize(i + 1, None);
        }
        // `None` before the first use; a second use leaves an empty marker behind.
        self.uses[i] = match self.uses[i] {
            None => Some(self.open_guards.clone().into()),
            Some(_) => Some(Box::new([u16::MAX])),
        };
    }

    fn element(&mut self, element: &Element, root: bool) -> Option<()> {
        let guard = element.dependency.filter(|_| !root);
        let guard_at = guard.map(|index| {
            self.guarded.push(index);
            self.open_guards.push(index);
            self.ops.push(Op::Guard { index, to: 0 });
            self.barrier = self.ops.len();
            self.ops.len() - 1
        });
        match &element.start_tag {
            Some(tag) => self.literal(tag),
            None => {
                self.literal(&format!("<{}", element.name));
                for attribute in &element.attributes {
                    match attribute.value.as_slice() {
                        [Content::Static(value)] => {
                            self.literal(&attribute_xml(attribute.name, value));
                        }
                        [Content::Sub(index)] => {
                            let start = self.literals.len() as u32;
                            self.literals.push_str(&format!(" {}='", attribute.name));
                            let prefix = start..self.literals.len() as u32;
                            self.use_value(*index);
                            self.ops.push(Op::Attribute {
                                index: *index,
                                prefix,
                            });
                        }
                        _ => return None,
                    }
                }
                self.literal(if element.empty { "/>" } else { ">" });
            }
        }
        if !element.empty {
            self.open.push(element.name);
            let context: Rc<[&'static str]> = self.open.clone().into();
            for child in &element.children {
                match child {
                    Node::Element(child) => self.element(child, false)?,
                    Node::Text(Content::Static(text)) => self.literal(&text_xml(text)),
                    Node::Text(Content::Sub(index)) => {
                        self.use_value(*index);
                        // Any value there may turn out to be BinXML of its own.
                        self.ops.push(Op::Text {
                            index: *index,
                            context: context.clone(),
                        });
                    }
                    Node::Text(Content::Inline(_)) => return None,
                }
            }
            self.open.pop();
            self.literal(&element.end_tag);
        }
        if let Some(at) = guard_at {
            self.open_guards.pop();
            let to = self.ops.len() as u32;
            if let Some(Op::Guard { to: target, .. }) = self.ops.get_mut(at) {
                *target = to;
            }
            self.barrier = self.ops.len();
        }
        Some(())
    }

    /// Where a field's text (from the symbolic run) comes from.
    fn source(&self, text: Option<&str>) -> Option<Source> {
        let Some(text) = text else {
            return Some(Source::Absent);
        };
        if text == UNNAMED {
            return Some(Source::Unnamed);
        }
        if !text.contains('\u{e000}') {
            return Some(Source::Fixed(text.into()));
        }
        let index: u16 = text
            .strip_prefix('\u{e000}')?
            .strip_suffix('\u{e001}')?
            .parse()
            .ok()?;
        let guards = self.uses.get(index as usize)?.clone()?;
        if guards.contains(&u16::MAX) {
            return None;
        }
        Some(Source::Value { index, guards })
    }
}

/// Feeds `builder` the element with placeholders for its values.
fn symbolic(element: &Element, builder: &mut RecordBuilder<'static>) -> Option<()> {
    let attribute = |wanted: &str| -> Option<Cow<'static, str>> {
        let Some(attribute) = element.attributes.iter().find(|a| a.name == wanted) else {
            // Unnamed Data gets its number when the record is read.
            let unnamed = element.name == "Data" && wanted == "Name";
            return unnamed.then_some(Cow::Borrowed(UNNAMED));
        };
        match attribute.value.as_slice() {
            [Content::Static(text)] => Some(Cow::Borrowed(*text)),
            [Content::Sub(index)] => Some(Cow::Owned(placeholder(*index))),
            _ => None,
        }
    };
    builder.start(element.name, attribute, element.empty);
    if element.empty {
        return Some(());
    }
    for child in &element.children {
        match child {
            Node::Element(child) => symbolic(child, builder)?,
            Node::Text(Content::Static(text)) => builder.text(Cow::Borrowed(*text)),
            Node::Text(Content::Sub(index)) => builder.text(Cow::Owned(placeholder(*index))),
            Node::Text(Content::Inline(_)) => return None,
        }
    }
    builder.end(element.name).ok()
}

//! Template definitions (MS-EVEN6 2.2.3.17): the XML shape an EVTX record's values are
//! substituted into, parsed into a tree of elements whose names are interned — once per
//! chunk, and once in all where later chunks (or files) hold the same definition. A definition with tokens this reader does not handle (CDATA, character and
//! entity references, processing instructions, nested instances) parses to `None`, and its
//! records are read the slow way.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::sync::{Mutex, OnceLock};

use evtx::EvtxChunkHeader;

use super::program::Program;
use super::values::{ty, u16_at, u32_at, write_text, Value};

/// Text, or attribute value, in a template: fixed, or the value substituted at `index`.
#[derive(Debug)]
pub(super) enum Content {
    /// A fixed string of a template (interned).
    Static(&'static str),
    /// The value substituted at this index.
    Sub(u16),
    /// A value written out in a record's own BinXML (not a template).
    Inline(String),
}

#[derive(Debug)]
pub(super) struct Attribute {
    pub name: &'static str,
    pub value: Vec<Content>,
}

#[derive(Debug)]
pub(super) enum Node {
    Element(Element),
    Text(Content),
}

#[derive(Debug)]
pub(super) struct Element {
    pub name: &'static str,
    pub attributes: Vec<Attribute>,
    pub children: Vec<Node>,
    /// The substitution it depends on: when that value is null, the element is left out
    /// (MS-EVEN6 2.2.12), except at a template's root.
    pub dependency: Option<u16>,
    /// Closed by `/>` (no content).
    pub empty: bool,
    /// Its whole start tag, when no attribute value is substituted.
    pub start_tag: Option<Box<str>>,
    /// `</name>`.
    pub end_tag: Box<str>,
    /// The substitutions that are its text (a string array there repeats the element).
    pub text_subs: Vec<u16>,
}

impl Element {
    /// Fills in what is worked out once the element is closed.
    fn close(&mut self, empty: bool) {
        let empty = empty && self.children.is_empty();
        self.empty = empty;
        self.end_tag = format!("</{}>", self.name).into();
        self.text_subs = self
            .children
            .iter()
            .filter_map(|child| match child {
                Node::Text(Content::Sub(index)) => Some(*index),
                _ => None,
            })
            .collect();
        let mut tag = format!("<{}", self.name);
        for attribute in &self.attributes {
            let [Content::Static(value)] = attribute.value.as_slice() else {
                return;
            };
            tag.push_str(&super::attribute_xml(attribute.name, value));
        }
        tag.push_str(if empty { "/>" } else { ">" });
        self.start_tag = Some(tag.into());
    }
}

pub(super) struct Template {
    pub nodes: Vec<Node>,
    /// The template compiled for each place it was used in (see `program`): the elements
    /// around it, and the program if it compiles.
    programs: RefCell<Vec<Compiled>>,
    /// A definition's bytes from its GUID on, and the names it uses that are stored
    /// outside them: what makes another chunk's definition the same template.
    definition: Box<[u8]>,
    external: Vec<(usize, &'static str)>,
}

/// A template compiled for one context: the elements around it, and the program if it
/// compiles.
type Compiled = (Rc<[&'static str]>, Option<Rc<Program>>);

/// `template` compiled for use inside the elements `context`, once per context.
pub(super) fn program_in(template: &Template, context: &[&'static str]) -> Option<Rc<Program>> {
    let mut programs = template.programs.try_borrow_mut().ok()?;
    if let Some((_, program)) = programs.iter().find(|(c, _)| **c == *context) {
        return program.clone();
    }
    let program = Program::compile(template, context).map(Rc::new);
    programs.push((context.into(), program.clone()));
    program
}

/// Names and fixed strings of templates, interned for the life of the process. Their
/// number is capped: past it, templates are not parsed (their records take the slow path).
const MAX_INTERNED: usize = 100_000;
/// Fixed strings longer than this are not interned, and their template is not parsed.
const MAX_INTERNED_LEN: usize = 256;

fn intern(text: String) -> Option<&'static str> {
    static NAMES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut names = NAMES.get_or_init(Default::default).lock().ok()?;
    if let Some(&name) = names.get(text.as_str()) {
        return Some(name);
    }
    if names.len() >= MAX_INTERNED || text.len() > MAX_INTERNED_LEN {
        return None;
    }
    let name: &'static str = Box::leak(text.into_boxed_str());
    names.insert(name);
    Some(name)
}

/// UTF-16LE, `units` code units at `at`.
fn utf16_at(data: &[u8], at: usize, units: usize) -> Option<String> {
    let bytes = data.get(at..at + units * 2)?;
    let units = bytes
        .chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]));
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .ok()
}

/// The names of one chunk by offset.
type Names = HashMap<usize, &'static str>;

/// The name stored at chunk offset `at`: next-string link (4), hash (2), length (2), the
/// UTF-16 characters and a NUL.
fn name_at(data: &[u8], at: usize, names: &mut Names) -> Option<&'static str> {
    if let Some(&name) = names.get(&at) {
        return Some(name);
    }
    let units = u16_at(data, at + 6)? as usize;
    let name = intern(utf16_at(data, at + 8, units)?)?;
    names.insert(at, name);
    Some(name)
}

/// Reads a name reference at `*pos`; a name stored right there is skipped. Every name
/// read is noted in `refs` with its offset.
fn name_ref(
    data: &[u8],
    pos: &mut usize,
    names: &mut Names,
    refs: &mut Vec<(usize, &'static str)>,
) -> Option<&'static str> {
    let offset = u32_at(data, *pos)? as usize;
    *pos += 4;
    if offset == *pos {
        let units = u16_at(data, offset + 6)? as usize;
        *pos += 10 + units * 2;
    }
    let name = name_at(data, offset, names)?;
    refs.push((offset, name));
    Some(name)
}

/// Whether the name stored at chunk offset `at` is `name`.
fn name_is(data: &[u8], at: usize, name: &str) -> bool {
    let Some(units) = u16_at(data, at + 6) else {
        return false;
    };
    let Some(stored) = data.get(at + 8..at + 8 + units as usize * 2) else {
        return false;
    };
    let stored = stored
        .chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]));
    stored.eq(name.encode_utf16())
}

/// A value written in the stream (a Value token's body at `*pos`): its type, then a
/// length-prefixed UTF-16 string or a fixed-size value.
fn inline_value(data: &[u8], pos: &mut usize) -> Option<String> {
    let value_type = *data.get(*pos)?;
    *pos += 1;
    let size = match value_type {
        ty::UTF16 => {
            let units = u16_at(data, *pos)? as usize;
            *pos += 2;
            units * 2
        }
        0x03 | 0x04 => 1,
        0x05 | 0x06 => 2,
        0x07 | 0x08 | 0x0d | 0x14 => 4,
        0x09 | 0x0a | 0x11 | 0x15 => 8,
        0x0f | 0x12 => 16,
        _ => return None,
    };
    let bytes = data.get(*pos..*pos + size)?;
    *pos += size;
    let mut text = Vec::new();
    write_text(
        &Value {
            ty: value_type,
            bytes,
            offset: 0,
        },
        &mut text,
    )?;
    String::from_utf8(text).ok()
}

/// Where an element being parsed is: still in its start tag's attributes, or past them.
struct Open {
    element: Element,
    in_attributes: bool,
}

/// Parses the definition at chunk offset `def`.
fn parse_definition(data: &[u8], def: usize, names: &mut Names) -> Option<Template> {
    let size = u32_at(data, def + 20)? as usize;
    let start = def + 24;
    let end = start.checked_add(size)?;
    let mut template = parse(data, start, end, true, names)?;
    template.definition = data.get(def + 4..end)?.into();
    // Names stored elsewhere in the chunk, which another chunk's copy must match.
    template
        .external
        .retain(|(at, _)| !(start..end).contains(at));
    Some(template)
}

/// Parses the BinXML tokens in `data[start..end]`: a template definition's (whose element
/// starts carry dependency ids, and whose values are fixed strings) or a record's own.
fn parse(
    data: &[u8],
    start: usize,
    end: usize,
    definition: bool,
    names: &mut Names,
) -> Option<Template> {
    let mut pos = start;
    let end = end.min(data.len());
    let mut refs = Vec::new();
    let mut nodes = Vec::new();
    let mut open: Vec<Open> = Vec::new();
    let add = |open: &mut Vec<Open>, nodes: &mut Vec<Node>, content: Content| -> Option<()> {
        match open.last_mut() {
            Some(o) if o.in_attributes => o.element.attributes.last_mut()?.value.push(content),
            Some(o) => o.element.children.push(Node::Text(content)),
            None => nodes.push(Node::Text(content)),
        }
        Some(())
    };
    while pos < end {
        let token = *data.get(pos)?;
        pos += 1;
        match token {
            0x00 => break,
            0x0f => pos += 3,
            0x01 | 0x41 => {
                // In a definition, a dependency id (u16); then the data size (u32) and
                // the name.
                let mut dependency = None;
                if definition {
                    dependency = Some(u16_at(data, pos)?).filter(|&d| d != 0xffff);
                    pos += 2;
                }
                pos += 4;
                let name = name_ref(data, &mut pos, names, &mut refs)?;
                if token & 0x40 != 0 {
                    pos += 4;
                }
                open.push(Open {
                    element: Element {
                        name,
                        attributes: Vec::new(),
                        children: Vec::new(),
                        dependency,
                        empty: false,
                        start_tag: None,
                        end_tag: Box::default(),
                        text_subs: Vec::new(),
                    },
                    in_attributes: true,
                });
            }
            0x06 | 0x46 => {
                let name = name_ref(data, &mut pos, names, &mut refs)?;
                open.last_mut()?.element.attributes.push(Attribute {
                    name,
                    value: Vec::new(),
                });
            }
            0x02 => open.last_mut()?.in_attributes = false,
            0x03 | 0x04 => {
                let mut closed = open.pop()?;
                closed.element.close(token == 0x03);
                let node = Node::Element(closed.element);
                match open.last_mut() {
                    Some(parent) => parent.element.children.push(node),
                    None => nodes.push(node),
                }
            }
            0x05 | 0x45 => {
                let text = inline_value(data, &mut pos)?;
                let content = if definition {
                    Content::Static(intern(text)?)
                } else {
                    Content::Inline(text)
                };
                add(&mut open, &mut nodes, content)?;
            }
            0x0d | 0x0e => {
                let index = u16_at(data, pos)?;
                pos += 3;
                add(&mut open, &mut nodes, Content::Sub(index))?;
            }
            _ => return None,
        }
    }
    open.is_empty().then_some(Template {
        nodes,
        programs: RefCell::default(),
        definition: Box::default(),
        external: refs,
    })
}

/// A chunk's bytes and header, and the templates found in it so far.
#[derive(Clone, Copy)]
pub(crate) struct Chunk<'a> {
    pub data: &'a [u8],
    pub header: &'a EvtxChunkHeader,
    pub templates: &'a RefCell<ChunkTemplates>,
}

/// The templates and names of one chunk, by offset.
#[derive(Default)]
pub(crate) struct ChunkTemplates {
    /// By definition offset (a chunk holds few: a linear search beats hashing).
    templates: Vec<(usize, Option<Rc<Template>>)>,
    names: Names,
}

/// Templates seen in earlier chunks, by GUID, so that each is parsed and compiled once
/// (a file of many small chunks, or many files, repeat the same few). Capped: past the
/// cap it starts over.
#[derive(Default)]
struct Shared {
    by_guid: HashMap<[u8; 16], Vec<Rc<Template>>>,
    count: usize,
}

const MAX_SHARED_TEMPLATES: usize = 4096;

impl Shared {
    fn find(&self, chunk: Chunk<'_>, definition: &[u8]) -> Option<Rc<Template>> {
        let guid: [u8; 16] = definition.get(..16)?.try_into().ok()?;
        self.by_guid
            .get(&guid)?
            .iter()
            .find(|t| {
                *t.definition == *definition
                    && t.external
                        .iter()
                        .all(|(at, name)| name_is(chunk.data, *at, name))
            })
            .cloned()
    }

    fn add(&mut self, template: &Rc<Template>) {
        let Some(guid) = template
            .definition
            .get(..16)
            .and_then(|g| g.try_into().ok())
        else {
            return;
        };
        if self.count >= MAX_SHARED_TEMPLATES {
            self.by_guid.clear();
            self.count = 0;
        }
        self.by_guid.entry(guid).or_default().push(template.clone());
        self.count += 1;
    }
}

thread_local! {
    static SHARED: RefCell<Shared> = RefCell::default();
}

/// The template defined at offset `def` of `chunk`: found once per chunk (and thread), and
/// parsed the first time it is seen.
pub(super) fn template(chunk: Chunk<'_>, def: usize) -> Option<Rc<Template>> {
    let mut cache = chunk.templates.try_borrow_mut().ok()?;
    if let Some((_, template)) = cache.templates.iter().find(|(at, _)| *at == def) {
        return template.clone();
    }
    {
        let size = u32_at(chunk.data, def + 20)? as usize;
        let definition = chunk.data.get(def + 4..(def + 24).checked_add(size)?)?;
        let template = SHARED.with(|shared| {
            let mut shared = shared.try_borrow_mut().ok()?;
            if let Some(template) = shared.find(chunk, definition) {
                return Some(template);
            }
            let template = Rc::new(parse_definition(chunk.data, def, &mut cache.names)?);
            shared.add(&template);
            Some(template)
        });
        cache.templates.push((def, template.clone()));
        template
    }
}

/// A record's own BinXML in `chunk.data[start..end]` (elements written out, not a
/// template instance), as a tree of inline values.
pub(super) fn elements(chunk: Chunk<'_>, start: usize, end: usize) -> Option<Template> {
    let mut cache = chunk.templates.try_borrow_mut().ok()?;
    parse(chunk.data, start, end, false, &mut cache.names)
}

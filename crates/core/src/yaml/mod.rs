//! The YAML layer: a spanned document tree built from parser events.
//!
//! Why not `serde_yaml`? It is archived and unmaintained, and neither it nor
//! its drop-in forks give us all three things the desired-state files need:
//! a line and column for every node (every error must name them), refusal of
//! duplicate keys (YAML maps otherwise keep the last one silently), and the
//! scalar exactly as the user wrote it (`PORT: 08080` must stay `08080`, not
//! become `8080`). So we build a small tree from `saphyr-parser`'s events —
//! a maintained, YAML 1.2 compliant parser — and deserialize our types from
//! that tree with serde (see [`de`]). Plain scalars are never resolved to
//! numbers or booleans: a value is the text the user wrote.

pub mod de;
mod help;
pub mod json;
mod text;

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher as _;

use saphyr_parser::{Event, Parser, ScalarStyle};

pub use crate::span::Pos;

fn pos_from_marker(marker: &saphyr_parser::Marker) -> Pos {
    Pos {
        line: marker.line(),
        column: marker.col() + 1,
    }
}

/// How a scalar was written; only plain scalars can mean `null`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    Quoted,
    Block,
}

#[derive(Debug, Clone)]
pub enum Kind {
    Scalar { text: String, style: Style },
    Seq(Vec<Node>),
    Map(Vec<(Key, Node)>),
}

#[derive(Debug, Clone)]
pub struct Key {
    pub text: String,
    pub pos: Pos,
}

#[derive(Debug, Clone)]
pub struct Node {
    pub kind: Kind,
    pub pos: Pos,
}

impl Node {
    /// `~`, `null` and an empty plain scalar: YAML 1.2's core-schema null.
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, Kind::Scalar { text, style: Style::Plain }
            if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    pub fn describe(&self) -> &'static str {
        match &self.kind {
            _ if self.is_null() => "null",
            Kind::Scalar { .. } => "a scalar",
            Kind::Seq(_) => "a list",
            Kind::Map(_) => "a mapping",
        }
    }

    /// The node at a JSON pointer (`/variables/PORT`), for mapping schema
    /// errors back to lines.
    pub fn at_pointer(&self, pointer: &str) -> Option<&Node> {
        let mut node = self;
        for raw in pointer.split('/').skip(1) {
            let segment = raw.replace("~1", "/").replace("~0", "~");
            node = match &node.kind {
                Kind::Map(entries) => &entries.iter().find(|(k, _)| k.text == segment)?.1,
                Kind::Seq(items) => items.get(segment.parse::<usize>().ok()?)?,
                Kind::Scalar { .. } => return None,
            };
        }
        Some(node)
    }

    /// The key's position for a pointer ending in a map key: errors about a
    /// map entry read best pointing at the key.
    pub fn key_pos_at_pointer(&self, pointer: &str) -> Option<Pos> {
        let (parent, last) = pointer.rsplit_once('/')?;
        let last = last.replace("~1", "/").replace("~0", "~");
        match &self.at_pointer(parent)?.kind {
            Kind::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.text == last)
                .map(|(k, _)| k.pos),
            _ => None,
        }
    }
}

/// A YAML syntax or structure error, before any typing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub pos: Pos,
    pub message: String,
    pub help: Option<String>,
}

/// Limits that keep hostile input cheap to refuse: `validate` runs on pull
/// requests from forks. Each is far above what a real envctl file needs,
/// and documented in docs/configuration.md ("Limits").
pub mod limits {
    /// Bytes in one YAML file (1 MiB). A project of 5,000 variables is
    /// about 300 KiB.
    pub const FILE_BYTES: u64 = 1 << 20;
    /// Nodes that aliases (`*name`) may add to one file by copying what
    /// their anchor holds. An alias bomb doubles or more per line; this
    /// stops it after a few lines and a few megabytes.
    pub const ALIAS_NODES: usize = 10_000;
    /// Levels of nested mappings and lists; envctl's files use five.
    pub const DEPTH: usize = 64;
    /// Characters in a mapping key; every name envctl reads is shorter.
    pub const KEY_CHARS: usize = 256;
}

/// Parses one YAML document into a tree. An empty file gives `None`.
pub fn parse(text: &str) -> Result<Option<Node>, SyntaxError> {
    parse_bytes(text.as_bytes())
}

/// Parses a file's bytes: UTF-8 (a leading byte order mark is skipped), no
/// invisible characters, then one YAML document within [`limits`].
pub fn parse_bytes(bytes: &[u8]) -> Result<Option<Node>, SyntaxError> {
    let text = text::decode(bytes)?;
    let mut builder = Builder::default();
    let mut documents = 0;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| {
            let pos = pos_from_marker(e.marker());
            SyntaxError {
                pos,
                message: format!("YAML syntax error: {}", e.info()),
                help: help::for_parser_error(text, pos, e.info()),
            }
        })?;
        let pos = pos_from_marker(&span.start);
        match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(SyntaxError {
                        pos,
                        message: "more than one YAML document in this file".into(),
                        help: Some(
                            "remove the second `---` document; envctl reads one document per file"
                                .into(),
                        ),
                    });
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let style = match style {
                    ScalarStyle::Plain if tag.is_none() => Style::Plain,
                    ScalarStyle::Literal | ScalarStyle::Folded => Style::Block,
                    _ => Style::Quoted,
                };
                let node = Node {
                    kind: Kind::Scalar {
                        text: text.into_owned(),
                        style,
                    },
                    pos,
                };
                builder.push(Built::leaf(node), anchor)?;
            }
            Event::SequenceStart(anchor, _) => builder.open(Kind::Seq(Vec::new()), pos, anchor)?,
            Event::MappingStart(anchor, _) => builder.open(Kind::Map(Vec::new()), pos, anchor)?,
            Event::SequenceEnd | Event::MappingEnd => builder.close()?,
            Event::Alias(id) => builder.alias(id, pos)?,
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
    }
    Ok(builder.root)
}

/// A finished node with what the limits need to know of it.
#[derive(Clone)]
struct Built {
    node: Node,
    /// Nodes in it, itself included.
    nodes: usize,
    /// Levels of mappings and lists in it (a scalar has none).
    height: usize,
}

impl Built {
    fn leaf(node: Node) -> Built {
        Built {
            node,
            nodes: 1,
            height: 0,
        }
    }
}

/// Folds the event stream into nested nodes; a map collects keys and values
/// alternately, so `pending_key` says which one comes next.
#[derive(Default)]
struct Builder {
    stack: Vec<Open>,
    anchors: HashMap<usize, Built>,
    /// Nodes added by aliases so far, against [`limits::ALIAS_NODES`].
    alias_nodes: usize,
    root: Option<Node>,
    hasher: std::hash::RandomState,
}

/// A sequence or mapping still being read.
struct Open {
    node: Node,
    anchor: usize,
    nodes: usize,
    height: usize,
    pending_key: Option<Key>,
    /// Hashes of a mapping's keys so far, so a duplicate is found without
    /// comparing each key with every earlier one (a file of 5,000
    /// variables would take 12.5 million comparisons).
    key_hashes: HashSet<u64>,
}

impl Builder {
    fn open(&mut self, kind: Kind, pos: Pos, anchor: usize) -> Result<(), SyntaxError> {
        if self.stack.len() >= limits::DEPTH {
            return Err(too_deep(pos));
        }
        self.stack.push(Open {
            node: Node { kind, pos },
            anchor,
            nodes: 1,
            height: 1,
            pending_key: None,
            key_hashes: HashSet::new(),
        });
        Ok(())
    }

    fn close(&mut self) -> Result<(), SyntaxError> {
        let open = self
            .stack
            .pop()
            .expect("parser balances start and end events");
        let built = Built {
            node: open.node,
            nodes: open.nodes,
            height: open.height,
        };
        self.push(built, open.anchor)
    }

    /// A copy of the anchored node, counted before it is made: the count
    /// is what stops an alias bomb, so nothing large is ever allocated.
    fn alias(&mut self, id: usize, pos: Pos) -> Result<(), SyntaxError> {
        let anchored = self.anchors.get(&id).ok_or_else(|| SyntaxError {
            pos,
            message: "alias refers to an unknown anchor".into(),
            help: Some("an alias `*name` must come after its anchor `&name`".into()),
        })?;
        self.alias_nodes = self.alias_nodes.saturating_add(anchored.nodes);
        if self.alias_nodes > limits::ALIAS_NODES {
            return Err(SyntaxError {
                pos,
                message: format!(
                    "aliases expand this file to more than {} values",
                    limits::ALIAS_NODES
                ),
                help: Some(
                    "each `*name` copies everything its anchor holds, so aliases of aliases grow exponentially (an \"alias bomb\"); write the values out instead".into(),
                ),
            });
        }
        if self.stack.len() + anchored.height > limits::DEPTH {
            return Err(too_deep(pos));
        }
        let mut built = anchored.clone();
        built.node.pos = pos;
        self.push(built, 0)
    }

    fn push(&mut self, built: Built, anchor: usize) -> Result<(), SyntaxError> {
        if let Kind::Scalar { text, .. } = &built.node.kind
            && self.stack.last().is_none_or(|open| {
                !matches!(open.node.kind, Kind::Map(_)) || open.pending_key.is_some()
            })
        {
            check_value(text, built.node.pos)?;
        }
        if anchor != 0 {
            self.anchors.insert(anchor, built.clone());
        }
        let Built {
            node,
            nodes,
            height,
        } = built;
        let Some(open) = self.stack.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        open.nodes = open.nodes.saturating_add(nodes);
        open.height = open.height.max(height + 1);
        let Open {
            node: parent,
            pending_key,
            key_hashes,
            ..
        } = open;
        match &mut parent.kind {
            Kind::Seq(items) => items.push(node),
            Kind::Map(entries) => match pending_key.take() {
                Some(key) => entries.push((key, node)),
                None => {
                    let Kind::Scalar { text, style } = node.kind else {
                        return Err(SyntaxError {
                            pos: node.pos,
                            message: format!(
                                "a mapping key must be a plain name, found {}",
                                node.describe()
                            ),
                            help: None,
                        });
                    };
                    check_key(&text, style, node.pos)?;
                    // A hash seen before is a duplicate or, rarely, a collision.
                    let first = if key_hashes.insert(self.hasher.hash_one(&text)) {
                        None
                    } else {
                        entries.iter().find(|(k, _)| k.text == text)
                    };
                    if let Some((first, _)) = first {
                        return Err(SyntaxError {
                            pos: node.pos,
                            message: format!("duplicate key `{text}` (first defined on line {})", first.pos.line),
                            help: Some("YAML would silently keep only the last one: remove or rename one of them".into()),
                        });
                    }
                    *pending_key = Some(Key {
                        text,
                        pos: node.pos,
                    });
                }
            },
            Kind::Scalar { .. } => unreachable!("scalars have no children"),
        }
        Ok(())
    }
}

fn too_deep(pos: Pos) -> SyntaxError {
    SyntaxError {
        pos,
        message: format!(
            "mappings and lists nest more than {} levels deep here",
            limits::DEPTH
        ),
        help: Some("envctl's files need only a few levels: check the indentation".into()),
    }
}

/// A key is a name: short, no control characters, and never YAML's merge
/// key. Neither check echoes the key, which may be anything.
fn check_key(text: &str, style: Style, pos: Pos) -> Result<(), SyntaxError> {
    if text == "<<" && style == Style::Plain {
        return Err(SyntaxError {
            pos,
            message: "merge keys (`<<`) are not supported".into(),
            help: Some(
                "write the keys out in full: envctl reads every mapping exactly as written, so each value has one place it comes from".into(),
            ),
        });
    }
    let chars = text.chars().count();
    if chars > limits::KEY_CHARS {
        return Err(SyntaxError {
            pos,
            message: format!(
                "a key of {chars} characters; envctl reads keys of at most {}",
                limits::KEY_CHARS
            ),
            help: Some("keys are names such as `VITE_API_URL`: check that a value did not end up before the `:`".into()),
        });
    }
    if let Some(c) = text.chars().find(|&c| text::refused_in_key(c)) {
        return Err(SyntaxError {
            pos,
            message: format!(
                "a key contains the character {} ({})",
                text::codepoint(c),
                text::name(c)
            ),
            help: Some("keys are names: letters, digits, `_` and `-`".into()),
        });
    }
    Ok(())
}

/// A value may hold newlines and tabs, never other control characters
/// (see [`text::refused_in_value`]). The value is not echoed: it may be a
/// secret.
fn check_value(text: &str, pos: Pos) -> Result<(), SyntaxError> {
    match text.chars().find(|&c| text::refused_in_value(c)) {
        None => Ok(()),
        Some(c) => Err(SyntaxError {
            pos,
            message: format!(
                "this value contains the character {} ({})",
                text::codepoint(c),
                text::name(c)
            ),
            help: Some(if c == '\0' {
                "an environment variable cannot hold NUL: remove the `\\0` escape".into()
            } else {
                "values may hold newlines and tabs, but no other control characters: they would rewrite the terminal of whoever reads the plan".into()
            }),
        }),
    }
}

#[cfg(test)]
mod tests;

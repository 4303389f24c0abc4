//! One walk over a parsed file: the variable reads and the loopback URLs
//! in it. Working on the syntax tree is what keeps comments, ordinary
//! strings and look-alike names (`myprocess.env.X`) out.

use oxc_allocator::Allocator;
use oxc_ast::ast::{
    BinaryExpression, BinaryOperator, Declaration, Expression, Program, Statement,
    StaticMemberExpression, UnaryOperator,
};
use oxc_ast_visit::Visit;
use oxc_parser::Parser;
use oxc_span::{GetSpan, SourceType};

use super::{Access, FileScan, Localhost, Read};
use crate::detect::loopback_host;
use crate::span::Pos;

/// Where each line of a file starts, for turning byte offsets into
/// line and column.
pub(super) struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    pub fn new(text: &'t str) -> Lines<'t> {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines { text, starts }
    }

    /// The 1-based line and column (in characters) of byte `offset`.
    pub fn pos(&self, offset: u32) -> Pos {
        let offset = (offset as usize).min(self.text.len());
        let line = self.starts.partition_point(|s| *s <= offset).max(1);
        let start = self.starts[line - 1];
        let column = self
            .text
            .get(start..offset)
            .map_or(1, |s| s.chars().count() + 1);
        Pos { line, column }
    }
}

/// Parses `source` (the file, or one script block of it with the rest
/// blanked) and adds what it reads to `out`.
pub(super) fn program(
    allocator: &Allocator,
    source: &str,
    kind: SourceType,
    lines: &Lines<'_>,
    out: &mut FileScan,
) {
    let parsed = Parser::new(allocator, source, kind).parse();
    if out.problem.is_none()
        && let Some(error) = parsed.errors.first()
    {
        let offset = error
            .labels
            .as_ref()
            .and_then(|l| l.first())
            .map_or(0, |l| l.offset());
        let message: String = error.message.chars().take(120).collect();
        out.problem = Some((lines.pos(offset as u32), message));
    }
    // Reads past the error may be missing: no variable can be called
    // unused on this file's word.
    out.opaque |= !parsed.errors.is_empty();
    let mut collector = Collector {
        lines,
        out,
        pages: exports_handler(&parsed.program),
        dev: 0,
        consumed: Vec::new(),
        skip: Vec::new(),
    };
    collector.visit_program(&parsed.program);
}

/// A Pages Function exports `onRequest`, `onRequestGet`, …: its `env`
/// (the handler's `context.env`) holds the deployment's variables.
fn exports_handler(program: &Program<'_>) -> bool {
    let handler = |name: &str| name.starts_with("onRequest");
    program.body.iter().any(|statement| {
        let Statement::ExportNamedDeclaration(export) = statement else {
            return false;
        };
        let declared = match &export.declaration {
            Some(Declaration::FunctionDeclaration(f)) => {
                f.id.as_ref().is_some_and(|id| handler(&id.name))
            }
            Some(Declaration::VariableDeclaration(v)) => v.declarations.iter().any(|d| {
                d.id.get_binding_identifier()
                    .is_some_and(|id| handler(&id.name))
            }),
            _ => false,
        };
        declared
            || export
                .specifiers
                .iter()
                .any(|s| handler(&s.exported.name()))
    })
}

pub(super) struct Collector<'c, 't> {
    lines: &'c Lines<'t>,
    pub out: &'c mut FileScan,
    /// The file is a Pages Function.
    pub pages: bool,
    /// Depth of branches that only run in development.
    pub dev: u32,
    /// Environment objects (by start offset) used as a read's object or a
    /// destructuring's source; any other use is a use of the whole object.
    pub consumed: Vec<u32>,
    /// Member expressions (by start offset) that look like reads but are
    /// not: a write (`process.env.X = …`), a binding (`env.DB.prepare`).
    /// Nested members share their start, so only the innermost one that
    /// reads from an environment object is ever judged by it.
    pub skip: Vec<u32>,
}

impl Collector<'_, '_> {
    /// What an expression is, if it is an environment object:
    /// `import.meta.env`, `process.env`, and in a Pages Function `env`
    /// and `<context>.env`.
    pub fn env_object(&self, expr: &Expression<'_>) -> Option<Access> {
        match expr.get_inner_expression() {
            Expression::StaticMemberExpression(m) => self.env_member(m),
            Expression::Identifier(id) if self.pages && id.name == "env" => Some(Access::Context),
            _ => None,
        }
    }

    /// [`Self::env_object`] for a member expression `<object>.env`.
    pub fn env_member(&self, m: &StaticMemberExpression<'_>) -> Option<Access> {
        if m.property.name != "env" {
            return None;
        }
        match m.object.get_inner_expression() {
            Expression::MetaProperty(meta)
                if meta.meta.name == "import" && meta.property.name == "meta" =>
            {
                Some(Access::ImportMeta)
            }
            Expression::Identifier(id) if id.name == "process" => Some(Access::Process),
            // `Deno.env` and `Netlify.env` are runtimes' objects, read
            // through `.get`.
            Expression::Identifier(id)
                if self.pages && !matches!(id.name.as_str(), "Deno" | "Netlify") =>
            {
                Some(Access::Context)
            }
            _ => None,
        }
    }

    pub fn read(&mut self, name: &str, access: Access, offset: u32) {
        self.out.reads.push(Read {
            name: name.to_string(),
            access,
            pos: self.lines.pos(offset),
        });
    }

    pub fn consume(&mut self, object: &Expression<'_>) {
        self.consumed
            .push(object.get_inner_expression().span().start);
    }

    pub fn literal(&mut self, text: &str, offset: u32) {
        if self.dev == 0
            && let Some(host) = loopback_host(text)
        {
            let pos = self.lines.pos(offset);
            self.out.localhost.push(Localhost { host, pos });
        }
    }

    /// Visits `f` as development-only code when `dev` holds.
    pub fn branch(&mut self, dev: bool, f: impl FnOnce(&mut Self)) {
        self.dev += u32::from(dev);
        f(self);
        self.dev -= u32::from(dev);
    }

    /// Whether a condition holds in development (`Some(true)`), in
    /// production (`Some(false)`), or says nothing of either.
    pub fn dev_test(&self, expr: &Expression<'_>) -> Option<bool> {
        match expr.get_inner_expression() {
            Expression::UnaryExpression(u) if u.operator == UnaryOperator::LogicalNot => {
                self.dev_test(&u.argument).map(|d| !d)
            }
            Expression::StaticMemberExpression(m)
                if self.env_object(&m.object) == Some(Access::ImportMeta) =>
            {
                match m.property.name.as_str() {
                    "DEV" => Some(true),
                    "PROD" => Some(false),
                    _ => None,
                }
            }
            Expression::BinaryExpression(b) => self.mode_comparison(b),
            _ => None,
        }
    }

    /// `process.env.NODE_ENV === "production"`, `import.meta.env.MODE !==
    /// "development"`, either way round.
    fn mode_comparison(&self, b: &BinaryExpression<'_>) -> Option<bool> {
        let is_mode = |e: &Expression<'_>| match e.get_inner_expression() {
            Expression::StaticMemberExpression(m) => {
                matches!(m.property.name.as_str(), "NODE_ENV" | "MODE")
                    && self.env_object(&m.object).is_some()
            }
            _ => false,
        };
        let text = |e: &Expression<'_>| match e.get_inner_expression() {
            Expression::StringLiteral(s) => Some(s.value.as_str().to_string()),
            _ => None,
        };
        let mode = match (is_mode(&b.left), is_mode(&b.right)) {
            (true, _) => text(&b.right)?,
            (_, true) => text(&b.left)?,
            _ => return None,
        };
        let equal = match b.operator {
            BinaryOperator::StrictEquality | BinaryOperator::Equality => true,
            BinaryOperator::StrictInequality | BinaryOperator::Inequality => false,
            _ => return None,
        };
        match mode.as_str() {
            "development" => Some(equal),
            "production" => Some(!equal),
            _ => None,
        }
    }
}

/// A string a computed key or a call argument names: `"X"`, `'X'`, or a
/// template without substitutions.
pub(super) fn static_text<'e>(expr: &'e Expression<'_>) -> Option<&'e str> {
    match expr.get_inner_expression() {
        Expression::StringLiteral(s) => Some(s.value.as_str()),
        Expression::TemplateLiteral(t) if t.expressions.is_empty() => t
            .quasis
            .first()
            .and_then(|q| q.value.cooked.as_ref())
            .map(|c| c.as_str()),
        _ => None,
    }
}

//! The syntax-tree walk itself: which nodes are reads, which strings are
//! loopback URLs, which branches only run in development. Everything not
//! named here is walked through unchanged.

use oxc_ast::ast::{
    AssignmentExpression, AssignmentTarget, BindingPatternKind, CallExpression,
    ComputedMemberExpression, ConditionalExpression, Expression, IdentifierReference, IfStatement,
    LogicalExpression, LogicalOperator, StaticMemberExpression, StringLiteral, TemplateElement,
    VariableDeclarator,
};
use oxc_ast_visit::{Visit, walk};
use oxc_span::GetSpan;

use super::Access;
use super::names::BINDING_METHODS;
use super::visit::{Collector, static_text};

impl<'a> Visit<'a> for Collector<'_, '_> {
    fn visit_static_member_expression(&mut self, m: &StaticMemberExpression<'a>) {
        if let Some(access) = self.env_object(&m.object) {
            self.consume(&m.object);
            if !self.skip.contains(&m.span.start) {
                self.read(&m.property.name, access, m.span.start);
            }
        }
        // `env.DB.prepare(…)`: `env.DB` is a binding, not a variable.
        if BINDING_METHODS.contains(&m.property.name.as_str())
            && let Expression::StaticMemberExpression(inner) = m.object.get_inner_expression()
            && self.env_object(&inner.object) == Some(Access::Context)
        {
            self.skip.push(inner.span.start);
        }
        if self.env_member(m).is_some() && !self.consumed.contains(&m.span.start) {
            self.out.opaque = true;
        }
        walk::walk_static_member_expression(self, m);
    }

    fn visit_computed_member_expression(&mut self, m: &ComputedMemberExpression<'a>) {
        if let Some(access) = self.env_object(&m.object)
            && let Some(name) = static_text(&m.expression)
        {
            self.consume(&m.object);
            if !self.skip.contains(&m.span.start) {
                self.read(name, access, m.span.start);
            }
        }
        walk::walk_computed_member_expression(self, m);
    }

    fn visit_identifier_reference(&mut self, id: &IdentifierReference<'a>) {
        if self.pages && id.name == "env" && !self.consumed.contains(&id.span.start) {
            self.out.opaque = true;
        }
    }

    /// `const { X, Y: y, Z = "…" } = process.env` reads X, Y and Z.
    fn visit_variable_declarator(&mut self, d: &VariableDeclarator<'a>) {
        if let Some(init) = &d.init
            && let Some(access) = self.env_object(init)
            && let BindingPatternKind::ObjectPattern(pattern) = &d.id.kind
        {
            self.consume(init);
            for property in &pattern.properties {
                match property.key.static_name().filter(|_| !property.computed) {
                    Some(name) => self.read(&name, access, property.key.span().start),
                    None => self.out.opaque = true,
                }
            }
            if pattern.rest.is_some() {
                self.out.opaque = true;
            }
        }
        walk::walk_variable_declarator(self, d);
    }

    /// `process.env.X = …` writes X; it reads nothing.
    fn visit_assignment_expression(&mut self, a: &AssignmentExpression<'a>) {
        let start = match &a.left {
            AssignmentTarget::StaticMemberExpression(m) if self.env_object(&m.object).is_some() => {
                Some(m.span.start)
            }
            AssignmentTarget::ComputedMemberExpression(m)
                if self.env_object(&m.object).is_some() =>
            {
                Some(m.span.start)
            }
            _ => None,
        };
        self.skip.extend(start);
        walk::walk_assignment_expression(self, a);
    }

    /// `Deno.env.get("X")`, `Netlify.env.get("X")`.
    fn visit_call_expression(&mut self, call: &CallExpression<'a>) {
        if let Expression::StaticMemberExpression(method) = call.callee.get_inner_expression()
            && let Expression::StaticMemberExpression(env) = method.object.get_inner_expression()
            && env.property.name == "env"
            && let Expression::Identifier(runtime) = env.object.get_inner_expression()
        {
            let access = match runtime.name.as_str() {
                "Deno" => Some(Access::Deno),
                "Netlify" => Some(Access::Netlify),
                _ => None,
            };
            if let Some(access) = access {
                let name = call
                    .arguments
                    .first()
                    .and_then(|a| a.as_expression())
                    .and_then(static_text);
                match (method.property.name.as_str(), name) {
                    ("get" | "has", Some(name)) => self.read(name, access, call.span.start),
                    ("set" | "delete", _) => {}
                    // `Deno.env.get(name)`, `Deno.env.toObject()`.
                    _ => self.out.opaque = true,
                }
            }
        }
        walk::walk_call_expression(self, call);
    }

    fn visit_string_literal(&mut self, s: &StringLiteral<'a>) {
        self.literal(&s.value, s.span.start);
    }

    fn visit_template_element(&mut self, e: &TemplateElement<'a>) {
        let text = e.value.cooked.as_ref().unwrap_or(&e.value.raw);
        self.literal(text, e.span.start);
    }

    fn visit_conditional_expression(&mut self, c: &ConditionalExpression<'a>) {
        let Some(dev) = self.dev_test(&c.test) else {
            return walk::walk_conditional_expression(self, c);
        };
        self.visit_expression(&c.test);
        self.branch(dev, |s| s.visit_expression(&c.consequent));
        self.branch(!dev, |s| s.visit_expression(&c.alternate));
    }

    fn visit_if_statement(&mut self, i: &IfStatement<'a>) {
        let Some(dev) = self.dev_test(&i.test) else {
            return walk::walk_if_statement(self, i);
        };
        self.visit_expression(&i.test);
        self.branch(dev, |s| s.visit_statement(&i.consequent));
        if let Some(alternate) = &i.alternate {
            self.branch(!dev, |s| s.visit_statement(alternate));
        }
    }

    /// `import.meta.env.DEV && "http://localhost:3001"`.
    fn visit_logical_expression(&mut self, l: &LogicalExpression<'a>) {
        let dev = match (l.operator, self.dev_test(&l.left)) {
            (LogicalOperator::And, Some(dev)) => dev,
            (LogicalOperator::Or, Some(dev)) => !dev,
            _ => return walk::walk_logical_expression(self, l),
        };
        self.visit_expression(&l.left);
        self.branch(dev, |s| s.visit_expression(&l.right));
    }
}

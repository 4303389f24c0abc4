//! `diff`'s lines: `<` and `>` for what only one side has, `~` for a
//! difference, `?` for what cannot be compared, `=` for the same value
//! under different sources. Values are shown only when plain and not
//! secret-looking.

use crate::config::VarValue;
use crate::engine::diff::{Line, Side};

/// Every line, each ending in a newline; `names` are the two
/// environments.
pub fn lines(lines: &[Line], names: (&str, &str)) -> String {
    let mut text: String = lines
        .iter()
        .map(|l| line(l, names))
        .collect::<Vec<_>>()
        .join("\n");
    text.push('\n');
    text
}

/// A value as `diff` may show it.
fn shown(v: &VarValue) -> String {
    match v {
        VarValue::Plain(text) if envctl_core::detect::looks_secret(text) => {
            "(sensitive)".to_string()
        }
        VarValue::Plain(text) => format!("{text:?}"),
        VarValue::Secret(reference) => format!("secret {reference}"),
        VarValue::Unset => "(unset)".to_string(),
    }
}

fn line(line: &Line, (a, b): (&str, &str)) -> String {
    let arrow = |side: &Side| match side {
        Side::A => ("<", a),
        Side::B => (">", b),
    };
    match line {
        Line::VariableOnlyIn { key, side } => {
            let (mark, env) = arrow(side);
            format!("{mark} {key} only in {env}")
        }
        Line::PlainDiffers { key, a, b } => format!("~ {key}: {} vs {}", shown(a), shown(b)),
        Line::SameValue {
            key,
            a: source_a,
            b: source_b,
        } => format!("= {key}: same value ({source_a} in {a}, {source_b} in {b})"),
        Line::DifferentValue { key } => format!("~ {key}: different value"),
        Line::CannotResolve { key, why } => {
            let why: Vec<String> = why
                .iter()
                .map(|(side, why)| format!("in {}: {why}", arrow(side).1))
                .collect();
            format!("? {key}: cannot resolve ({})", why.join("; "))
        }
        Line::FunctionOnlyIn { slug, side } => {
            let (mark, env) = arrow(side);
            format!("{mark} function {slug} only in {env}")
        }
        Line::VerifyJwt { slug, a, b } => format!("~ function {slug}: verify_jwt {a} vs {b}"),
        Line::MigrationHead { a, b } => format!("~ migration head: {a} vs {b}"),
        Line::LiveVariableOnlyIn { target, key, side } => {
            let (mark, env) = arrow(side);
            format!("{mark} live {target}: {key} only in {env}")
        }
        Line::LiveDifferentValue { target, key } => {
            format!("~ live {target}: {key}: different value")
        }
        Line::LiveCannotResolve { target, key } => {
            format!("? live {target}: {key}: cannot resolve (the platform does not reveal it)")
        }
        Line::LiveFunctionOnlyIn { target, slug, side } => {
            let (mark, env) = arrow(side);
            format!("{mark} live {target}: function {slug} only in {env}")
        }
        Line::LiveVerifyJwt { target, slug, a, b } => {
            format!("~ live {target}: function {slug}: verify_jwt {a} vs {b}")
        }
        Line::LiveMigrations { target, a, b } => {
            format!("~ live {target}: migrations applied differ (head {a} vs {b})")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_name_the_side_and_never_a_secret_value() {
        let shown = lines(
            &[
                Line::VariableOnlyIn {
                    key: "A".into(),
                    side: Side::B,
                },
                Line::CannotResolve {
                    key: "S".into(),
                    why: vec![(Side::A, "unset".into())],
                },
                Line::LiveFunctionOnlyIn {
                    target: "functions".into(),
                    slug: "f".into(),
                    side: Side::A,
                },
            ],
            ("staging", "production"),
        );
        assert_eq!(
            shown,
            "> A only in production\n? S: cannot resolve (in staging: unset)\n< live functions: function f only in staging\n"
        );
    }
}

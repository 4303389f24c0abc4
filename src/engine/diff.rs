//! `diff`: what two environments' desired state (and, with `live`, their
//! live state) disagree on. Secrets, and plain values that look secret,
//! are compared by the SHA-256 of their resolved values; a [`Line`]
//! carries only "same", "different" or why a side cannot be resolved —
//! never a value, never a digest.

use std::collections::BTreeSet;

use super::{Engine, Secrets, read_all, resolve_secrets};
use crate::Error;
use crate::config::{Environment, SecretRef, VarValue, Variable, Workspace};
use crate::provider::{AppliedMigration, LiveValue, Provider, Snapshot};
use crate::secret::{Fingerprint, ProcessEnv};

/// Which of the two environments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    A,
    B,
}

/// One line of the comparison, in the order shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    VariableOnlyIn {
        key: String,
        side: Side,
    },
    /// Plain values that do not look secret, so both may be shown.
    PlainDiffers {
        key: String,
        a: VarValue,
        b: VarValue,
    },
    /// The same value under different sources: not a difference.
    SameValue {
        key: String,
        a: String,
        b: String,
    },
    DifferentValue {
        key: String,
    },
    /// Why each side that cannot be resolved cannot.
    CannotResolve {
        key: String,
        why: Vec<(Side, String)>,
    },
    FunctionOnlyIn {
        slug: String,
        side: Side,
    },
    VerifyJwt {
        slug: String,
        a: bool,
        b: bool,
    },
    /// The migration heads (`(none)` without migrations).
    MigrationHead {
        a: String,
        b: String,
    },
    LiveVariableOnlyIn {
        target: String,
        key: String,
        side: Side,
    },
    LiveDifferentValue {
        target: String,
        key: String,
    },
    /// At least one side's platform does not reveal the value.
    LiveCannotResolve {
        target: String,
        key: String,
    },
    LiveFunctionOnlyIn {
        target: String,
        slug: String,
        side: Side,
    },
    LiveVerifyJwt {
        target: String,
        slug: String,
        a: bool,
        b: bool,
    },
    /// The last applied versions (`(none)` when nothing is applied).
    LiveMigrations {
        target: String,
        a: String,
        b: String,
    },
}

impl Line {
    /// Every line but a "same value" one is a difference.
    pub fn is_difference(&self) -> bool {
        !matches!(self, Line::SameValue { .. })
    }
}

/// Compares `a` and `b`: variables, functions, the migration head, and
/// with `live` the live state of targets of the same name.
pub fn compare(
    engine: &Engine,
    ws: &Workspace,
    a: &Environment,
    b: &Environment,
    live: bool,
) -> Result<Vec<Line>, Error> {
    let (sa, sb) = (
        resolve_secrets(ws, a, &ProcessEnv),
        resolve_secrets(ws, b, &ProcessEnv),
    );
    let mut lines = Vec::new();
    let keys: BTreeSet<&String> = a.variables.keys().chain(b.variables.keys()).collect();
    for key in keys {
        let (x, y) = (a.variables.get(key), b.variables.get(key));
        if let Some(side) = lone(x, y) {
            lines.push(Line::VariableOnlyIn {
                key: key.clone(),
                side,
            });
        } else if let (Some(x), Some(y)) = (x, y) {
            lines.extend(variable(key, (a, x, &sa), (b, y, &sb)));
        }
    }
    let slugs: BTreeSet<&String> = a.functions.keys().chain(b.functions.keys()).collect();
    for slug in slugs {
        let (x, y) = (a.functions.get(slug), b.functions.get(slug));
        if let Some(side) = lone(x, y) {
            lines.push(Line::FunctionOnlyIn {
                slug: slug.clone(),
                side,
            });
        } else if let (Some(x), Some(y)) = (x, y)
            && x.verify_jwt != y.verify_jwt
        {
            lines.push(Line::VerifyJwt {
                slug: slug.clone(),
                a: x.verify_jwt,
                b: y.verify_jwt,
            });
        }
    }
    let head = |e: &Environment| {
        e.migrations
            .as_ref()
            .map_or("(none)".to_string(), |m| m.head.clone())
    };
    if head(a) != head(b) {
        lines.push(Line::MigrationHead {
            a: head(a),
            b: head(b),
        });
    }
    if live {
        lines.extend(compare_live(engine, ws, a, b)?);
    }
    Ok(lines)
}

/// The side that alone has something, if only one does.
fn lone<T>(a: Option<T>, b: Option<T>) -> Option<Side> {
    match (a, b) {
        (Some(_), None) => Some(Side::A),
        (None, Some(_)) => Some(Side::B),
        _ => None,
    }
}

/// The line of a variable both declare, if they differ.
fn variable(
    key: &str,
    (ea, x, sa): (&Environment, &Variable, &Secrets),
    (eb, y, sb): (&Environment, &Variable, &Secrets),
) -> Option<Line> {
    let key = key.to_string();
    let masked = [x, y].iter().any(|v| v.is_sensitive());
    if !masked {
        return (x.value != y.value).then(|| Line::PlainDiffers {
            key,
            a: x.value.clone(),
            b: y.value.clone(),
        });
    }
    // One source read twice holds one value, resolvable or not; only a
    // keyring entry differs by environment.
    let keyring = matches!(x.value, VarValue::Secret(SecretRef::Keyring));
    if x.value == y.value && (!keyring || ea.name == eb.name) {
        return None;
    }
    let source = |v: &VarValue| match v {
        VarValue::Secret(reference) => reference.to_string(),
        _ => "a plain value".to_string(),
    };
    Some(match (held(x, sa), held(y, sb)) {
        (Ok(fx), Ok(fy)) if fx == fy => Line::SameValue {
            key,
            a: source(&x.value),
            b: source(&y.value),
        },
        (Ok(_), Ok(_)) => Line::DifferentValue { key },
        (rx, ry) => Line::CannotResolve {
            key,
            why: [(rx, Side::A), (ry, Side::B)]
                .into_iter()
                .filter_map(|(r, side)| r.err().map(|why| (side, why)))
                .collect(),
        },
    })
}

/// What a variable holds, for comparing by digest: the digest of its value
/// (plain, or its secret resolved), or why the secret cannot be resolved.
fn held(var: &Variable, secrets: &Secrets) -> Result<Fingerprint, String> {
    match &var.value {
        VarValue::Plain(text) => Ok(Fingerprint::of(text)),
        VarValue::Unset => Ok(Fingerprint::of("")),
        VarValue::Secret(_) => match secrets.values.get(&var.name) {
            Some(value) => Ok(value.fingerprint()),
            None => Err(secrets
                .resolution
                .get(&var.name)
                .and_then(|r| r.as_ref().err())
                .cloned()
                .unwrap_or_else(|| "not resolved".to_string())),
        },
    }
}

/// Reads both environments and compares targets of the same name.
fn compare_live(
    engine: &Engine,
    ws: &Workspace,
    ea: &Environment,
    eb: &Environment,
) -> Result<Vec<Line>, Error> {
    let shared: Vec<&String> = ea
        .targets
        .keys()
        .filter(|t| eb.targets.contains_key(*t))
        .collect();
    let providers = |env: &Environment| -> Result<Vec<Provider>, Error> {
        shared
            .iter()
            .map(|t| Provider::for_target(&ws.place(), env, &env.targets[*t]).map_err(Error::from))
            .collect()
    };
    let (pa, pb) = (providers(ea)?, providers(eb)?);
    let (la, lb) = engine.block_on(async { tokio::join!(read_all(&pa), read_all(&pb)) })?;
    let (la, lb) = (la?, lb?);
    // read_all returns one snapshot per provider, so the three agree.
    Ok(shared
        .iter()
        .zip(la.iter().zip(&lb))
        .flat_map(|(t, (sa, sb))| live_differences(t, sa, sb))
        .collect())
}

/// What two live snapshots of same-named targets disagree on. Values are
/// compared by digest, as desired values are, and never shown; the same
/// value gives no line.
fn live_differences(target: &str, sa: &Snapshot, sb: &Snapshot) -> Vec<Line> {
    let fingerprint = |v: &LiveValue| match v {
        LiveValue::Plain(s) | LiveValue::Readable(s) => Some(s.fingerprint()),
        LiveValue::Digest(d) => Some(d.clone()),
        LiveValue::Unreadable | LiveValue::Stale { .. } => None,
    };
    let target = target.to_string();
    let mut lines = Vec::new();
    let keys: BTreeSet<&String> = sa.variables.keys().chain(sb.variables.keys()).collect();
    for key in keys {
        let (target, key) = (target.clone(), key.clone());
        let (x, y) = (sa.variables.get(&key), sb.variables.get(&key));
        if let Some(side) = lone(x, y) {
            lines.push(Line::LiveVariableOnlyIn { target, key, side });
        } else if let (Some(x), Some(y)) = (x, y) {
            match (fingerprint(x), fingerprint(y)) {
                (Some(fx), Some(fy)) if fx != fy => {
                    lines.push(Line::LiveDifferentValue { target, key })
                }
                (None, _) | (_, None) => lines.push(Line::LiveCannotResolve { target, key }),
                _ => {}
            }
        }
    }
    if let (Some(fa), Some(fb)) = (&sa.functions, &sb.functions) {
        let slugs: BTreeSet<&String> = fa.keys().chain(fb.keys()).collect();
        for slug in slugs {
            let (target, slug) = (target.clone(), slug.clone());
            let (x, y) = (fa.get(&slug), fb.get(&slug));
            if let Some(side) = lone(x, y) {
                lines.push(Line::LiveFunctionOnlyIn { target, slug, side });
            } else if let (Some(x), Some(y)) = (x, y)
                && x != y
            {
                lines.push(Line::LiveVerifyJwt {
                    target,
                    slug,
                    a: x.verify_jwt,
                    b: y.verify_jwt,
                });
            }
        }
    }
    if let (Some(ma), Some(mb)) = (&sa.migrations, &sb.migrations)
        && ma != mb
    {
        let head = |m: &Vec<AppliedMigration>| {
            m.last()
                .map_or_else(|| "(none)".into(), |a| a.version.clone())
        };
        lines.push(Line::LiveMigrations {
            target,
            a: head(ma),
            b: head(mb),
        });
    }
    lines
}

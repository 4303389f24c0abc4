//! The writes an apply performs, in the order it performs them.

use crate::plan::Subject;
use crate::secret::Secret;

/// One write apply performs. Values travel as [`Secret`] whether or not the
/// user declared them secret: one path, one way to be careful.
#[derive(Debug, Clone)]
pub enum Write {
    Set {
        name: String,
        value: Secret,
    },
    Delete {
        name: String,
    },
    /// `deploy`: upload the source (a new function); otherwise only the
    /// settings change.
    SetFunction {
        slug: String,
        verify_jwt: bool,
        deploy: bool,
    },
    DeleteFunction {
        slug: String,
    },
    /// A project setting (`auth.site_url`, `auth.redirect_urls`), as
    /// the plan shows it.
    SetSetting {
        name: String,
        value: String,
    },
    /// A Storage bucket: created (`create`), or its public flag changed.
    /// Buckets are never deleted: they hold data.
    SetBucket {
        name: String,
        public: bool,
        create: bool,
    },
    /// Marks a variable whose live value was verified equal to the
    /// declared one, so later reads need not read it: no value changes
    /// (on Vercel, the record's comment gets envctl's tag). `value` is the
    /// declared value, for the mark's digest; it is not sent.
    Tag {
        name: String,
        value: Secret,
    },
}

/// The variable values among `writes`, with their indices: what a
/// platform that batches sends in one request.
pub fn sets(writes: &[Write]) -> Vec<(usize, &str, &Secret)> {
    writes
        .iter()
        .enumerate()
        .filter_map(|(i, w)| match w {
            Write::Set { name, value } => Some((i, name.as_str(), value)),
            _ => None,
        })
        .collect()
}

/// The variables among `writes` to mark as verified, with their indices.
pub fn tags(writes: &[Write]) -> Vec<(usize, &str, &Secret)> {
    writes
        .iter()
        .enumerate()
        .filter_map(|(i, w)| match w {
            Write::Tag { name, value } => Some((i, name.as_str(), value)),
            _ => None,
        })
        .collect()
}

/// The variable deletes among `writes`, with their indices.
pub fn deletes(writes: &[Write]) -> Vec<(usize, &str)> {
    writes
        .iter()
        .enumerate()
        .filter_map(|(i, w)| match w {
            Write::Delete { name } => Some((i, name.as_str())),
            _ => None,
        })
        .collect()
}

impl Write {
    /// The plan item this write carries out.
    pub fn subject(&self) -> Subject {
        match self {
            Write::Set { name, .. } | Write::Delete { name } | Write::Tag { name, .. } => {
                Subject::Variable { name: name.clone() }
            }
            Write::SetFunction { slug, .. } | Write::DeleteFunction { slug } => {
                Subject::Function { slug: slug.clone() }
            }
            Write::SetSetting { name, .. } => Subject::Setting { name: name.clone() },
            Write::SetBucket { name, .. } => Subject::Bucket { name: name.clone() },
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Write::Set { name, .. } => format!("set {name}"),
            Write::Delete { name } => format!("delete {name}"),
            Write::Tag { name, .. } => format!("tag {name}"),
            Write::SetFunction {
                slug, deploy: true, ..
            } => format!("deploy function {slug}"),
            Write::SetFunction {
                slug, verify_jwt, ..
            } => format!("set verify_jwt={verify_jwt} on function {slug}"),
            Write::DeleteFunction { slug } => format!("delete function {slug}"),
            Write::SetSetting { name, value } => format!("set {name} to {value:?}"),
            Write::SetBucket {
                name,
                public,
                create: true,
            } => format!("create bucket {name} (public={public})"),
            Write::SetBucket { name, public, .. } => {
                format!("set public={public} on bucket {name}")
            }
        }
    }
}

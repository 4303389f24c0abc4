//! `schema`: the JSON Schemas of envctl.yaml and environment files,
//! printed or written as files.

use std::path::Path;

use crate::Error;
use crate::cli::{Exit, Output};
use crate::config::schema::{self, SchemaKind};

pub fn run(kind: Option<SchemaKind>, write: Option<&Path>, out: &Output) -> Result<Exit, Error> {
    let kinds: Vec<SchemaKind> = kind.map_or(SchemaKind::ALL.to_vec(), |k| vec![k]);
    if let Some(dir) = write {
        std::fs::create_dir_all(dir).map_err(|e| Error::Io {
            context: dir.display().to_string(),
            source: e,
        })?;
        for k in kinds {
            let path = dir.join(k.file_name());
            std::fs::write(&path, schema::render(k)).map_err(|e| Error::Io {
                context: path.display().to_string(),
                source: e,
            })?;
            out.note(&format!("wrote {}", path.display()));
        }
        return Ok(Exit::Ok);
    }
    match kinds.as_slice() {
        [one] => out.print(&schema::render(*one)),
        _ => {
            let mut all = serde_json::Map::new();
            for k in kinds {
                let value: serde_json::Value =
                    serde_json::from_str(&schema::render(k)).map_err(|e| {
                        Error::Usage(format!("internal error: a schema is not JSON: {e}"))
                    })?;
                all.insert(k.file_name().to_string(), value);
            }
            let text = serde_json::to_string_pretty(&all)
                .map_err(|e| Error::Usage(format!("internal error: {e}")))?;
            out.print(&format!("{text}\n"));
        }
    }
    Ok(Exit::Ok)
}

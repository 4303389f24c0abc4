//! The code-scanning row: `envctl validate` of one protected environment
//! whose targets serve N generated source files, a Vite frontend in
//! `src/` (nine files in ten) and Supabase Edge Functions (one in ten),
//! each about 2 KiB of TypeScript that reads a few variables. Every read is
//! provided and every variable read, so `validate` exits 0 having scanned
//! all of them (docs/benchmarks.md).

use std::fmt::Write as _;
use std::path::Path;

/// Variables of each kind the files read in turn.
const VARIABLES: usize = 10;

pub struct CodeProject {
    dir: tempfile::TempDir,
}

impl CodeProject {
    pub fn generate(files: usize) -> Result<CodeProject, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let root = dir.path();
        write(
            root,
            "envctl.yaml",
            "version: 1\nproject: code-bench\nroutes:\n  web: [\"VITE_*\"]\n  functions: [\"API_*\"]\n",
        )?;
        let mut env = String::from(
            "protected: true\ntargets:\n  web: { type: vercel, project: web, target: production }\n  functions: { type: supabase, project_ref: abcdefghijklmnopqrst }\nvariables:\n",
        );
        for i in 0..VARIABLES {
            let _ = writeln!(env, "  VITE_VAR_{i}: https://api{i}.example.com");
            let _ = writeln!(env, "  API_KEY_{i}: {{ secret: env:API_KEY_{i} }}");
        }
        write(root, "environments/production.yaml", &env)?;
        for i in 0..files {
            if i % 10 == 9 {
                let path = format!("supabase/functions/fn-{i}/index.ts");
                write(root, &path, &function(i))?;
            } else {
                let path = format!("src/feature-{}/Component{i}.tsx", i / 100);
                write(root, &path, &component(i))?;
            }
        }
        Ok(CodeProject { dir })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

fn write(root: &Path, rel: &str, text: &str) -> Result<(), String> {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
    }
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// A React component of about 2 KiB that reads two variables.
fn component(i: usize) -> String {
    let (a, b) = (i % VARIABLES, (i + 3) % VARIABLES);
    let mut out = format!(
        "// Component {i}: generated for the code-scanning benchmark.\nimport {{ useEffect, useState }} from \"react\";\n\nconst API = import.meta.env.VITE_VAR_{a};\nconst {{ VITE_VAR_{b}: other }} = import.meta.env;\n\nexport function Component{i}({{ id }}: {{ id: string }}) {{\n  const [items, setItems] = useState<string[]>([]);\n  useEffect(() => {{\n    fetch(`${{API}}/items/${{id}}?from=${{other}}`)\n      .then((r) => r.json())\n      .then((data: {{ items: string[] }}) => setItems(data.items));\n  }}, [id]);\n  return (\n    <ul className=\"list-{i}\">\n"
    );
    for row in 0..20 {
        let _ = writeln!(
            out,
            "      <li key=\"{row}\" data-row={{{row}}}>{{items[{row}] ?? \"item {row}\"}}</li>"
        );
    }
    out.push_str("    </ul>\n  );\n}\n");
    out
}

/// An Edge Function of about 2 KiB that reads one secret.
fn function(i: usize) -> String {
    let k = (i / 10) % VARIABLES;
    let mut out = format!(
        "// Function {i}: generated for the code-scanning benchmark.\nconst key = Deno.env.get(\"API_KEY_{k}\") ?? \"\";\n\nDeno.serve(async (req) => {{\n  const body = await req.json();\n"
    );
    for step in 0..25 {
        let _ = writeln!(
            out,
            "  if (body.step === {step}) return Response.json({{ step: {step}, signed: key.length > 0 }});"
        );
    }
    out.push_str("  return new Response(\"unknown step\", { status: 400 });\n});\n");
    out
}

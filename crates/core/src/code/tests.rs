//! The scanner on small files: every access form, and what must never
//! count (comments, strings, look-alikes, writes, bindings).

use std::path::Path;

use super::{Access, FileScan, is_source, scan};

fn reads(path: &str, text: &str) -> Vec<(String, Access, usize, usize)> {
    scan(Path::new(path), text)
        .reads
        .into_iter()
        .map(|r| (r.name, r.access, r.pos.line, r.pos.column))
        .collect()
}

fn names(path: &str, text: &str) -> Vec<String> {
    reads(path, text).into_iter().map(|r| r.0).collect()
}

#[test]
fn import_meta_env_reads_in_every_form() {
    let text = "const a = import.meta.env.VITE_A;\nconst b = import.meta.env[\"VITE_B\"];\nconst c = import.meta.env['VITE_C'] ?? import.meta.env[`VITE_D`];\nconst { VITE_E, VITE_F: f, VITE_G = 'x' } = import.meta.env;\nconst h = import.meta.env?.VITE_H;\n";
    let found = reads("src/api.ts", text);
    let names: Vec<&str> = found.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(
        names,
        [
            "VITE_A", "VITE_B", "VITE_C", "VITE_D", "VITE_E", "VITE_F", "VITE_G", "VITE_H"
        ]
    );
    assert!(found.iter().all(|r| r.1 == Access::ImportMeta));
    assert_eq!((found[0].2, found[0].3), (1, 11));
    assert_eq!((found[4].2, found[4].3), (4, 9));
}

#[test]
fn process_env_reads_in_every_form() {
    let text = "export const s = process.env.STRIPE_SECRET_KEY!;\nconst u = (process.env as any)[\"NEXT_PUBLIC_URL\"];\nconst { A, B: b } = process.env;\nfunction f() { return process.env?.C }\n";
    let found = reads("app/route.tsx", text);
    let names: Vec<&str> = found.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(
        names,
        ["STRIPE_SECRET_KEY", "NEXT_PUBLIC_URL", "A", "B", "C"]
    );
    assert!(found.iter().all(|r| r.1 == Access::Process));
    assert!(!scan(Path::new("a.ts"), text).opaque);
}

#[test]
fn runtime_getters_read_their_argument() {
    let text = "const k = Deno.env.get(\"RESEND_API_KEY\");\nif (Deno.env.has('FLAG')) {}\nconst n = Netlify.env.get(`SITE_SECRET`);\nDeno.env.set(\"X\", \"1\");\n";
    let found = reads("supabase/functions/send/index.ts", text);
    let got: Vec<(&str, Access)> = found.iter().map(|r| (r.0.as_str(), r.1)).collect();
    assert_eq!(
        got,
        [
            ("RESEND_API_KEY", Access::Deno),
            ("FLAG", Access::Deno),
            ("SITE_SECRET", Access::Netlify)
        ]
    );
    assert_eq!((found[0].2, found[0].3), (1, 11));
}

#[test]
fn pages_functions_read_their_context_env() {
    let text = "export async function onRequestPost(context) {\n  const key = context.env.STRIPE_KEY;\n  const { JWT_SECRET } = context.env;\n  const rows = await context.env.DB.prepare('select 1').all();\n  return new Response(key + JWT_SECRET);\n}\nexport const onRequestGet = ({ env }) => new Response(env.GREETING);\n";
    let scanned = scan(Path::new("functions/api/pay.ts"), text);
    let names: Vec<&str> = scanned.reads.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["STRIPE_KEY", "JWT_SECRET", "GREETING"]);
    assert!(scanned.reads.iter().all(|r| r.access == Access::Context));
    assert!(!scanned.opaque, "{scanned:?}");
}

#[test]
fn env_objects_outside_pages_functions_are_not_reads() {
    let text = "export default { fetch(req, env) { return env.NOT_A_PAGES_FUNCTION } };\nconst config = { env: {} };\nconfig.env.ALSO_NOT;\n";
    assert_eq!(names("src/worker.ts", text), Vec::<String>::new());
}

#[test]
fn comments_strings_and_look_alikes_are_not_reads() {
    let text = "// process.env.IN_A_LINE_COMMENT\n/* import.meta.env.VITE_IN_A_BLOCK */\n/** Deno.env.get(\"IN_JSDOC\") */\nconst a = \"process.env.IN_A_STRING\";\nconst b = `import.meta.env.VITE_IN_A_TEMPLATE`;\nconst c = myprocess.env.LOOK_ALIKE;\nconst d = process.environment.NOPE;\nconst e = window.process.env.NESTED;\nconst f = Deno.env.get(name);\nprocess.env.WRITTEN = \"1\";\n";
    assert_eq!(names("src/a.js", text), Vec::<String>::new());
}

#[test]
fn whole_env_objects_make_the_file_opaque() {
    for text in [
        "const env = import.meta.env;",
        "schema.parse(process.env);",
        "const { A, ...rest } = process.env;",
        "const v = process.env[name];",
        "const all = Deno.env.toObject();",
        "export const onRequest = ({ env }) => handle(env);",
    ] {
        assert!(scan(Path::new("src/a.ts"), text).opaque, "{text}");
    }
}

#[test]
fn jsx_and_components_are_read() {
    let tsx = "export function Map() {\n  return <Mapbox token={import.meta.env.VITE_MAPBOX_TOKEN} />;\n}\n";
    assert_eq!(names("src/Map.tsx", tsx), ["VITE_MAPBOX_TOKEN"]);
    let vue = "<template>\n  <a :href=\"url\">{{ label }}</a>\n</template>\n<script setup lang=\"ts\">\nconst url: string = import.meta.env.VITE_SITE_URL\n</script>\n";
    let found = reads("src/Link.vue", vue);
    assert_eq!(found, [("VITE_SITE_URL".into(), Access::ImportMeta, 5, 21)]);
    let svelte = "<script>\n  const key = import.meta.env.VITE_KEY;\n</script>\n<p>{key}</p>\n";
    assert_eq!(names("src/Key.svelte", svelte), ["VITE_KEY"]);
}

#[test]
fn loopback_urls_are_found_outside_development_branches() {
    let text = "const api = \"http://localhost:3001/api\";\nconst ws = `ws://127.0.0.1:${port}/socket`;\n// const old = \"http://localhost:9999\";\nconst base = import.meta.env.DEV ? \"http://localhost:5173\" : \"https://app.example.com\";\nif (process.env.NODE_ENV !== \"production\") { fetch(\"http://0.0.0.0:8080\") }\nconst dev = import.meta.env.DEV && \"http://localhost:1\";\nconst fallback = import.meta.env.VITE_API_URL || \"http://localhost:3001\";\nconst safe = \"https://localhost.example.com\";\n";
    let scanned = scan(Path::new("src/api.ts"), text);
    let found: Vec<(&str, usize)> = scanned
        .localhost
        .iter()
        .map(|l| (l.host.as_str(), l.pos.line))
        .collect();
    assert_eq!(
        found,
        [("localhost", 1), ("127.0.0.1", 2), ("localhost", 7)]
    );
    assert_eq!(scanned.localhost[0].pos.column, 13);
}

#[test]
fn production_branches_still_count() {
    let text = "const u = import.meta.env.PROD ? \"http://localhost:1\" : \"x\";\nif (process.env.NODE_ENV === \"production\") { go(\"http://localhost:2\") } else { go(\"http://localhost:3\") }\n";
    let lines: Vec<usize> = scan(Path::new("a.ts"), text)
        .localhost
        .iter()
        .map(|l| l.pos.line)
        .collect();
    assert_eq!(lines, [1, 2]);
}

#[test]
fn a_syntax_error_is_reported_and_makes_the_file_opaque() {
    let scanned: FileScan = scan(
        Path::new("src/broken.ts"),
        "const a = process.env.BEFORE;\nconst = ;\n",
    );
    let (pos, message) = scanned.problem.expect("a problem");
    assert_eq!(pos.line, 2);
    assert!(!message.is_empty());
    assert!(scanned.opaque, "reads may be missing");
}

#[test]
fn positions_count_characters_not_bytes() {
    let text = "const é = 'ü'; const a = process.env.X;";
    assert_eq!(reads("a.js", text)[0].3, 26);
}

#[test]
fn source_files_by_extension() {
    for yes in [
        "a.js", "a.jsx", "a.ts", "a.tsx", "a.mjs", "a.cjs", "a.mts", "a.cts", "a.vue", "a.svelte",
    ] {
        assert!(is_source(Path::new(yes)), "{yes}");
    }
    for no in ["a.d.ts", "a.json", "a.css", "a", "vite-env.d.mts"] {
        assert!(!is_source(Path::new(no)), "{no}");
    }
}

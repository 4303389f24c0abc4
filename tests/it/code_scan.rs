//! Code scanning in `validate`, end to end on small apps made here: a Vite
//! frontend, a Next.js app, Supabase Edge Functions, Cloudflare Pages
//! Functions and a Netlify function. Every access form is read, nothing in
//! a comment or a string is, and each rule (undeclared-variable,
//! unused-variable, hardcoded-localhost) refuses and passes with the exit
//! codes of docs/rules.md.

use crate::common;

use common::Workspace;

/// A project with environments `local`, `staging` and `production`
/// (protected), each with the targets of `targets` (YAML under
/// `targets:`, indented four spaces; `{env}` and `{ref}` become the
/// environment's name and a project ref of its own, so no two
/// environments write to the same place) and `variables` (indented two).
fn app(targets: &str, variables: &str, files: &[(&str, &str)]) -> Workspace {
    let ws = Workspace::at(tempfile::tempdir().unwrap());
    ws.write("envctl.yaml", "version: 1\nproject: app\n");
    let variables = if variables.is_empty() {
        " {}\n"
    } else {
        &format!("\n{variables}")
    };
    for (env, head, suffix) in [
        ("local", "", "loc"),
        ("staging", "", "stg"),
        ("production", "protected: true\n", "prd"),
    ] {
        let targets = targets
            .replace("{env}", env)
            .replace("{ref}", &format!("abcdefghijklmnopq{suffix}"));
        ws.write(
            &format!("environments/{env}.yaml"),
            &format!("{head}targets:\n{targets}variables:{variables}"),
        );
    }
    for (path, text) in files {
        ws.write(path, text);
    }
    ws
}

/// A Vite app on Vercel: `web` receives the `VITE_*` variables.
fn vite(variables: &str, files: &[(&str, &str)]) -> Workspace {
    let targets = "  web:\n    type: vercel\n    project: web-{env}\n    target: production\n";
    app(targets, variables, files)
}

const VITE_READS: &str = r#"// import.meta.env.VITE_IN_A_COMMENT
/* process.env.IN_A_BLOCK_COMMENT */
const a = import.meta.env.VITE_DOT;
const b = import.meta.env["VITE_BRACKET"];
const { VITE_DESTRUCTURED, VITE_RENAMED: renamed } = import.meta.env;
const c = "import.meta.env.VITE_IN_A_STRING";
const d = `process.env.IN_A_TEMPLATE`;
const mode = import.meta.env.MODE + import.meta.env.DEV + import.meta.env.BASE_URL;
const url = import.meta.env.VITE_URL;
"#;

const VUE: &str = "<template>\n  <p>{{ title }}</p>\n</template>\n<script setup lang=\"ts\">\nconst title: string = import.meta.env.VITE_IN_VUE\n</script>\n";

const SVELTE: &str =
    "<script>\n  export let x = import.meta.env.VITE_IN_SVELTE;\n</script>\n<p>{x}</p>\n";

#[test]
fn a_vite_app_reads_every_form_and_nothing_in_comments_or_strings() {
    let ws = vite(
        "  VITE_URL: https://api.example.com\n",
        &[
            ("src/api.ts", VITE_READS),
            ("src/App.vue", VUE),
            ("src/Widget.svelte", SVELTE),
        ],
    );
    let run = ws.run(&["validate", "production"], &[]);
    run.expect(3);
    for (name, place) in [
        ("VITE_DOT", "src/api.ts:3:11"),
        ("VITE_BRACKET", "src/api.ts:4:11"),
        ("VITE_DESTRUCTURED", "src/api.ts:5:9"),
        ("VITE_RENAMED", "src/api.ts:5:28"),
        ("VITE_IN_VUE", "src/App.vue:5:23"),
        ("VITE_IN_SVELTE", "src/Widget.svelte:2:18"),
    ] {
        run.expect_output(&format!(
            "{place}: error[undeclared-variable]: the code reads {name} (import.meta.env), but production does not provide it to this target (target web)"
        ));
    }
    for never in [
        "IN_A_COMMENT",
        "IN_A_BLOCK_COMMENT",
        "IN_A_STRING",
        "IN_A_TEMPLATE",
        "reads MODE",
        "reads DEV",
        "reads BASE_URL",
        "VITE_URL",
    ] {
        assert!(!run.all().contains(never), "{never}:\n{}", run.all());
    }
}

#[test]
fn undeclared_is_an_error_where_protected_and_a_warning_elsewhere() {
    let ws = vite(
        "  VITE_API_URL: https://api.example.com\n",
        &[(
            "src/api.ts",
            "export const k = import.meta.env.VITE_STRIPE_PUBLISHABLE_KEY;\n",
        )],
    );
    let finding = "src/api.ts:1:18: {}[undeclared-variable]: the code reads VITE_STRIPE_PUBLISHABLE_KEY (import.meta.env), but {} does not provide it";
    let expect = |level: &str, env: &str| finding.replacen("{}", level, 1).replacen("{}", env, 1);
    ws.run(&["validate", "production"], &[])
        .expect(3)
        .expect_output(&expect("error", "production"));
    ws.run(&["validate", "staging", "local"], &[])
        .expect(0)
        .expect_output(&expect("warning", "staging"))
        .expect_output(&expect("warning", "local"));

    // Declared in the environment file: nothing to say.
    for env in ["local", "staging", "production"] {
        ws.append(
            &format!("environments/{env}.yaml"),
            "  VITE_STRIPE_PUBLISHABLE_KEY: pk_test_abc",
        );
    }
    let run = ws.run(&["validate", "staging"], &[]);
    run.expect(0);
    assert!(!run.all().contains("undeclared"), "{}", run.all());
}

#[test]
fn a_nextjs_app_reads_process_env_and_skips_what_next_and_vercel_set() {
    let page = "export default function Page() {\n  return <a href={process.env.NEXT_PUBLIC_SITE_URL}>{process.env.NODE_ENV}</a>;\n}\n";
    let route = "const { STRIPE_SECRET_KEY, DATABASE_URL: db } = process.env;\nexport async function GET() {\n  const host = process.env.VERCEL_URL ?? process.env.NEXT_PUBLIC_VERCEL_ENV;\n  return Response.json({ runtime: process.env.NEXT_RUNTIME, k: process.env[\"RESEND_API_KEY\"], host, db, STRIPE_SECRET_KEY });\n}\n";
    let ws = vite(
        "  NEXT_PUBLIC_SITE_URL: https://shop.example.com\n  STRIPE_SECRET_KEY: { secret: env:STRIPE_SECRET_KEY }\n",
        &[("app/page.tsx", page), ("pages/api/pay.ts", route)],
    );
    // The defaults: a target that receives NEXT_PUBLIC_* serves app/ and pages/.
    let run = ws.run(&["validate", "production"], &[]);
    run.expect(3)
        .expect_output("pages/api/pay.ts:1:28: error[undeclared-variable]: the code reads DATABASE_URL (process.env)")
        .expect_output("pages/api/pay.ts:4:64: error[undeclared-variable]: the code reads RESEND_API_KEY (process.env)");
    for fine in [
        "reads NODE_ENV",
        "reads NEXT_RUNTIME",
        "VERCEL_URL",
        "VERCEL_ENV",
        "reads STRIPE_SECRET_KEY",
        "reads NEXT_PUBLIC_SITE_URL",
    ] {
        assert!(!run.all().contains(fine), "{fine}:\n{}", run.all());
    }
}

/// Supabase Edge Functions: the `functions` target serves supabase/functions.
fn edge(variables: &str, files: &[(&str, &str)]) -> Workspace {
    let targets = "  functions:\n    type: supabase\n    project_ref: \"{ref}\"\n";
    app(targets, variables, files)
}

#[test]
fn edge_functions_read_through_deno_and_skip_what_supabase_injects() {
    let send = "import { createClient } from \"npm:@supabase/supabase-js@2\";\nconst admin = createClient(Deno.env.get(\"SUPABASE_URL\")!, Deno.env.get(\"SUPABASE_SERVICE_ROLE_KEY\")!);\nconst key = Deno.env.get(\"RESEND_API_KEY\");\nDeno.serve(() => new Response(key));\n";
    let ws = edge(
        "  STRIPE_SECRET_KEY: { secret: env:STRIPE_SECRET_KEY }\n",
        &[
            ("supabase/functions/send-email/index.ts", send),
            (
                "supabase/functions/_shared/stripe.ts",
                "export const key = Deno.env.get('STRIPE_SECRET_KEY');\n",
            ),
        ],
    );
    let run = ws.run(&["validate", "production"], &[]);
    run.expect(3).expect_output(
        "supabase/functions/send-email/index.ts:3:13: error[undeclared-variable]: the code reads RESEND_API_KEY (Deno.env.get), but production does not provide it to this target (target functions)",
    );
    assert_eq!(
        run.all().matches("undeclared-variable").count(),
        1,
        "{}",
        run.all()
    );
}

#[test]
fn pages_functions_read_their_context_and_leave_bindings_alone() {
    let targets = "  pages:\n    type: cloudflare\n    project: klubz-{env}\n    environment: production\n    account_id: 4f2a9c1e7b3d40865e1f2a3b4c5d6e7f\n";
    let trips = "export const onRequestGet = async ({ env }) => {\n  const rows = await env.DB.prepare(\"select 1\").all();\n  return Response.json({ rows, sig: env.JWT_SECRET });\n};\n";
    let profile = "export async function onRequestPut(context) {\n  const { ENCRYPTION_KEY } = context.env;\n  return new Response(context.env.APP_URL + ENCRYPTION_KEY);\n}\n";
    let helper = "export function notAHandler(env) { return env.NOT_READ_HERE; }\n";
    let ws = app(
        targets,
        "  APP_URL: https://klubz.pages.dev\n",
        &[
            ("functions/api/trips.js", trips),
            ("functions/api/profile.ts", profile),
            ("functions/lib/helper.ts", helper),
        ],
    );
    let run = ws.run(&["validate", "production"], &[]);
    run.expect(3)
        .expect_output("functions/api/trips.js:3:37: error[undeclared-variable]: the code reads JWT_SECRET (context.env)")
        .expect_output("functions/api/profile.ts:2:11: error[undeclared-variable]: the code reads ENCRYPTION_KEY (context.env)");
    for never in ["reads DB", "reads APP_URL", "NOT_READ_HERE"] {
        assert!(!run.all().contains(never), "{never}:\n{}", run.all());
    }
}

#[test]
fn a_target_s_code_list_replaces_the_defaults_and_an_empty_one_scans_nothing() {
    let targets =
        "  site:\n    type: dotenv\n    path: .env.{env}\n    code: [netlify/functions]\n";
    let fun = "export default async () => new Response(Netlify.env.get(\"SITE_SECRET\"));\n";
    let ws = app(targets, "", &[("netlify/functions/hello.mts", fun)]);
    ws.run(&["validate", "production"], &[])
        .expect(3)
        .expect_output("netlify/functions/hello.mts:1:41: error[undeclared-variable]: the code reads SITE_SECRET (Netlify.env.get)");
    for env in ["local", "staging", "production"] {
        ws.edit(
            &format!("environments/{env}.yaml"),
            "code: [netlify/functions]",
            "code: []",
        );
    }
    let run = ws.run(&["validate"], &[]);
    run.expect(0);
    assert!(!run.all().contains("SITE_SECRET"), "{}", run.all());
}

#[test]
fn a_variable_no_code_reads_is_a_warning_and_a_whole_env_object_silences_it() {
    let ws = vite(
        "  VITE_API_URL: https://api.example.com\n  VITE_OLD_FLAG: \"1\"\n",
        &[(
            "src/api.ts",
            "export const api = import.meta.env.VITE_API_URL;\n",
        )],
    );
    let line = ws.line_of("environments/production.yaml", "VITE_OLD_FLAG");
    ws.run(&["validate", "production"], &[])
        .expect(0)
        .expect_output(&format!(
            "environments/production.yaml:{line}:18: warning[unused-variable]: VITE_OLD_FLAG is provided in production, but no code this target serves reads it (scanned: src) (target web)"
        ));
    // Code that hands the whole object to a validator may read anything.
    ws.write(
        "src/env.ts",
        "export const env = schema.parse(import.meta.env);\n",
    );
    let run = ws.run(&["validate", "production"], &[]);
    run.expect(0);
    assert!(!run.all().contains("unused-variable"), "{}", run.all());
}

#[test]
fn a_localhost_url_in_code_is_refused_in_production_only_outside_dev_branches() {
    let api = "const base = import.meta.env.DEV ? \"http://localhost:5173\" : \"https://app.example.com\";\n// const old = \"http://localhost:1234\";\nexport const API = import.meta.env.VITE_API_URL || \"http://admin:canary-5f3a9c1e@localhost:3001/api\";\n";
    let ws = vite(
        "  VITE_API_URL: https://api.example.com\n",
        &[("src/api.ts", api)],
    );
    let run = ws.run(&["validate"], &[]);
    run.expect(3)
        .expect_output("src/api.ts:3:52: error[hardcoded-localhost]: a localhost URL is written into code that production deploys (target web)")
        .expect_output("src/api.ts:3:52: warning[hardcoded-localhost]: a localhost URL is written into code that staging deploys (target web)");
    assert_eq!(
        run.all().matches("hardcoded-localhost").count(),
        2,
        "{}",
        run.all()
    );
    assert!(!run.all().contains("canary-5f3a9c1e"), "{}", run.all());

    ws.edit(
        "src/api.ts",
        "import.meta.env.VITE_API_URL || \"http://admin:canary-5f3a9c1e@localhost:3001/api\"",
        "import.meta.env.VITE_API_URL",
    );
    let run = ws.run(&["validate"], &[]);
    run.expect(0);
    assert!(!run.all().contains("hardcoded-localhost"), "{}", run.all());
}

#[test]
fn the_shipped_example_refuses_what_a_new_user_adds() {
    // The issue's walk-through: a frontend file with a localhost URL and an
    // undeclared key, and an Edge Function reading an undeclared secret.
    let ws = Workspace::example();
    ws.run(&["validate"], &[]).expect(0);
    ws.write(
        "src/api.ts",
        "export const API = \"http://localhost:3001/api\";\nexport const stripe = import.meta.env.VITE_STRIPE_PUBLISHABLE_KEY;\n",
    );
    ws.write(
        "supabase/functions/send-email/index.ts",
        "const key = Deno.env.get(\"RESEND_API_KEY\");\nDeno.serve(() => new Response(key ? \"ok\" : \"no key\"));\n",
    );
    ws.run(&["validate"], &[])
        .expect(3)
        .expect_output("src/api.ts:1:20: error[hardcoded-localhost]")
        .expect_output("src/api.ts:2:23: error[undeclared-variable]: the code reads VITE_STRIPE_PUBLISHABLE_KEY (import.meta.env), but production does not provide it to this target (target web)")
        .expect_output("supabase/functions/send-email/index.ts:1:13: error[undeclared-variable]: the code reads RESEND_API_KEY (Deno.env.get), but production does not provide it to this target (target functions)")
        .expect_output("refused: the desired state of production breaks the rules above");
}

#[test]
fn meant_to_be_absent_and_conditionally_required_names_are_not_undeclared() {
    let ws = vite(
        "  PAYMENTS_ENABLED: \"false\"\n  VITE_API_URL: https://api.example.com\n",
        &[(
            "src/pay.ts",
            "export const on = import.meta.env.PAYMENTS_ENABLED === \"true\";\nexport const key = import.meta.env.VITE_STRIPE_KEY;\nexport const dsn = import.meta.env.VITE_SENTRY_DSN;\n",
        )],
    );
    ws.run(&["validate", "production"], &[])
        .expect(3)
        .expect_output("VITE_STRIPE_KEY (import.meta.env), but production")
        .expect_output("VITE_SENTRY_DSN (import.meta.env), but production");
    ws.append("environments/production.yaml", "  VITE_SENTRY_DSN: ~");
    ws.write(
        "envctl.yaml",
        "version: 1\nproject: app\nrules:\n  required:\n    - name: VITE_STRIPE_KEY\n      when: { variable: PAYMENTS_ENABLED, equals: \"true\" }\n",
    );
    let run = ws.run(&["validate", "production"], &[]);
    run.expect(0);
    assert!(!run.all().contains("undeclared"), "{}", run.all());
}

#[test]
fn a_bad_code_entry_is_an_error_naming_file_and_line() {
    let ws = vite("  VITE_API_URL: https://api.example.com\n", &[]);
    let line = ws.line_of("environments/production.yaml", "target: production") + 1;
    ws.edit(
        "environments/production.yaml",
        "    target: production\n",
        "    target: production\n    code: [srcc, ../elsewhere]\n",
    );
    ws.run(&["validate"], &[])
        .expect(1)
        .expect_output(&format!(
            "environments/production.yaml:{line}:11: error: `code:` entry `srcc` does not exist"
        ))
        .expect_output("`code:` entry `../elsewhere` is not a path inside the project")
        .expect_output("nothing was read or written");
    ws.write(
        "envctl.yaml",
        "version: 1\nproject: app\ncode:\n  wbe: [src]\n",
    );
    ws.edit(
        "environments/production.yaml",
        "    code: [srcc, ../elsewhere]\n",
        "",
    );
    ws.run(&["validate"], &[])
        .expect(1)
        .expect_output(
            "envctl.yaml:4:8: error: `code:` for `wbe`, which no environment defines as a target",
        )
        .expect_output("did you mean `web`?");
}

#[test]
fn unreadable_code_is_a_warning_and_links_out_of_the_project_are_not_followed() {
    let ws = vite(
        "  VITE_API_URL: https://api.example.com\n",
        &[
            (
                "src/broken.ts",
                "export const a = import.meta.env.VITE_BEFORE;\nconst = ;\n",
            ),
            ("src/ok.ts", "export const ok = 1;\n"),
        ],
    );
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("secret.ts"),
        "export const x = import.meta.env.VITE_OUTSIDE;\n",
    )
    .unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(outside.path(), ws.path("src/linked")).unwrap();
    let run = ws.run(&["validate", "staging"], &[]);
    run.expect(0)
        .expect_output("src/broken.ts:2:7: warning: cannot parse this file")
        .expect_output("code scanning may miss reads in this file");
    // Reads may be missing, so nothing is called unused.
    assert!(!run.all().contains("unused-variable"), "{}", run.all());
    assert!(!run.all().contains("VITE_OUTSIDE"), "{}", run.all());

    // Named in `code:`, the link is refused too.
    #[cfg(unix)]
    {
        ws.edit(
            "environments/staging.yaml",
            "    target: production\n",
            "    target: production\n    code: [src/linked]\n",
        );
        let run = ws.run(&["validate", "staging"], &[]);
        run.expect(0).expect_output(
            "`code:` entry `src/linked` leads outside the project through a link; not scanned",
        );
        assert!(!run.all().contains("VITE_OUTSIDE"), "{}", run.all());
    }
}

#[test]
fn findings_carry_their_kind_in_json() {
    let ws = vite(
        "  VITE_API_URL: https://api.example.com\n",
        &[("src/api.ts", "export const k = import.meta.env.VITE_KEY;\n")],
    );
    let run = ws.run(&["validate", "production", "--format", "json"], &[]);
    run.expect(3);
    let json: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    let finding = &json["findings"][0];
    assert_eq!(finding["rule"], "undeclared-variable");
    assert_eq!(finding["target"], "web");
    assert_eq!(finding["location"]["file"], "src/api.ts");
    assert_eq!(finding["location"]["line"], 1);
    assert_eq!(finding["kind"]["kind"], "undeclared_variable");
    assert_eq!(finding["kind"]["access"], "import.meta.env");
}

#[test]
fn deeply_nested_code_is_parsed_not_a_crash() {
    // A hostile pull request can nest as deep as a file's size allows; the
    // parser recurses once a level. Small files share a thread, a larger
    // one gets a stack sized for it.
    let nested = |levels: usize| {
        format!(
            "export const x = {}import.meta.env.VITE_DEEP{};\n",
            "[".repeat(levels),
            "]".repeat(levels)
        )
    };
    let ws = vite(
        "  VITE_API_URL: https://api.example.com\n",
        &[
            ("src/small.ts", &nested(20_000)),
            ("src/large.ts", &nested(60_000)),
        ],
    );
    let run = ws.run(&["validate", "staging"], &[]);
    run.expect(0)
        .expect_output("src/large.ts:1:60018: warning[undeclared-variable]: the code reads VITE_DEEP (import.meta.env)")
        .expect_output("(and in 1 more place)");
}

#[test]
fn a_netlify_target_scans_its_functions_and_knows_what_netlify_sets() {
    let targets = "  site:\n    type: netlify\n    site: app-{env}\n    context: production\n";
    let fun = "export default async () => {\n  const site = Netlify.env.get(\"URL\") + process.env.SITE_NAME;\n  return new Response(site + Netlify.env.get(\"MAIL_KEY\"));\n};\n";
    let edge = "export default () => new Response(Netlify.env.get(\"EDGE_TOKEN\"));\n";
    let ws = app(
        targets,
        "",
        &[
            ("netlify/functions/hello.mts", fun),
            ("netlify/edge-functions/hi.ts", edge),
        ],
    );
    let run = ws.run(&["validate", "production"], &[]);
    run.expect(3)
        .expect_output("netlify/functions/hello.mts:3:30: error[undeclared-variable]: the code reads MAIL_KEY (Netlify.env.get)")
        .expect_output("netlify/edge-functions/hi.ts:1:35: error[undeclared-variable]: the code reads EDGE_TOKEN (Netlify.env.get)");
    // Netlify's read-only variables are set by Netlify itself.
    for never in ["reads URL", "reads SITE_NAME"] {
        assert!(!run.all().contains(never), "{never}:\n{}", run.all());
    }
}

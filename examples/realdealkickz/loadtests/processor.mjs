// runbook 003 §9 "Load Testing Procedure (Staging)": `artillery run
// loadtests/catalog.yml` after `vercel env pull --environment=preview
// --git-branch=main`, so the run targets the staging deployment the
// preview's own LOADTEST_BASE_URL names (staging.yaml gives this folder to
// the `app` target's `code:`).
export function setTarget(context, _events, done) {
  context.vars.target = process.env.LOADTEST_BASE_URL;
  return done();
}

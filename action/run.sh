#!/usr/bin/env bash
# The GitHub Action's main step (action.yml): runs `envctl plan ENV` (or
# `envctl drift`) for each environment with `--format markdown`, appends
# each result to the job summary, emits annotations, keeps exactly one
# comment per environment on the pull request up to date, and exits
# non-zero when envctl failed (1) or a rule refused the plan (3); changes
# (2) fail only with fail-on-changes.
#
# Inputs arrive as environment variables (never spliced into the script):
#   INPUT_COMMAND            plan | drift                    (plan)
#   INPUT_ENVIRONMENTS       names, by spaces, commas or lines (drift: none = every one)
#   INPUT_COMMENT            true | false                    (true)
#   INPUT_FAIL_ON_CHANGES    true | false                    (false)
#   INPUT_REQUIRE_SECRETS    true | false                    (true)
#   INPUT_WORKING_DIRECTORY  where envctl.yaml is            (.)
#   ENVCTL_PULL_REQUEST      the pull request's number, empty outside one
#   ENVCTL_ACTION_TOKEN      the token `gh` comments with (kept out of envctl's environment)
# and GitHub's own: GITHUB_REPOSITORY, GITHUB_STEP_SUMMARY, GITHUB_OUTPUT,
# GITHUB_SERVER_URL, RUNNER_TEMP.
#
# Outputs: exit-code (the most serious result: 1 over 3 over 2 over 0)
# and changes (true when some environment has changes or drifted).
set -euo pipefail
# shellcheck source=action/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command="${INPUT_COMMAND:-plan}"
comment="${INPUT_COMMENT:-true}"
fail_on_changes="${INPUT_FAIL_ON_CHANGES:-false}"
require_secrets="${INPUT_REQUIRE_SECRETS:-true}"
workdir="${INPUT_WORKING_DIRECTORY:-.}"
pull_request="${ENVCTL_PULL_REQUEST:-}"
token="${ENVCTL_ACTION_TOKEN:-}"
unset ENVCTL_ACTION_TOKEN

case "$command" in
  plan | drift) ;;
  *) die "command must be plan or drift, not '$command'" ;;
esac
is_true "$fail_on_changes" || true
is_true "$require_secrets" || true

names=()
for name in $(printf '%s' "${INPUT_ENVIRONMENTS:-}" | tr ',\n\r' '   '); do
  case "$name" in
    *[!A-Za-z0-9_.-]*) die "'$name' is not an environment name (letters, digits, '_', '-', '.')" ;;
  esac
  names+=("$name")
done
if [ "${#names[@]}" -eq 0 ]; then
  [ "$command" = drift ] || die "environments: name the environment(s) to plan, e.g. 'production'"
  names=("")   # drift with no name: every environment not marked local
fi
if is_true "$comment" && [ -n "$pull_request" ]; then
  case "$pull_request" in
    *[!0-9]*) die "the pull request number '$pull_request' is not a number" ;;
  esac
  [ -n "${GITHUB_REPOSITORY:-}" ] || die "GITHUB_REPOSITORY is not set"
  [ -n "$token" ] || die "github-token is empty: the comment needs a token with pull-requests: write"
  gh_setup "$token"
  commenting=1
else
  commenting=""
fi

work="$(mktemp -d "$(temp_root)/envctl-action.XXXXXX")"
trap 'rm -rf "$work"' EXIT

envctl_args() { # COMMAND NAME FORMAT
  local -a a=()
  [ "$workdir" = "." ] || a+=(--chdir "$workdir")
  a+=("$1")
  [ -z "$2" ] || a+=("$2")
  [ "$1" = drift ] || a+=(--detailed-exitcode)
  if is_true "$require_secrets"; then a+=(--require-secrets); fi
  a+=(--format "$3")
  printf '%s\n' "${a[@]}"
}

# Who the token comments as: the user of a personal token, else (a
# workflow's GITHUB_TOKEN, for which GET /user is refused) the Actions bot.
# Only that author's comments are ever edited: anyone can post a comment
# that starts with the marker.
commenter=""
if [ -n "$commenting" ]; then
  commenter="$(ghx api user --jq .login 2>/dev/null)" || commenter=""
  case "$commenter" in
    "" | *[!A-Za-z0-9_.\[\]-]*) commenter="github-actions[bot]" ;;
  esac
fi

# Finds this author's comment that starts with MARKER and updates it, else
# creates it. Returns non-zero (with an error annotation) when GitHub
# refuses, so the other environments are still planned and reported.
upsert_comment() { # MARKER BODY_FILE
  local api="repos/$GITHUB_REPOSITORY/issues" id
  id="$(ghx api --paginate "$api/$pull_request/comments?per_page=100" \
    --jq ".[] | select(.user.login == \"$commenter\" and (.body | startswith(\"$1\"))) | .id" | sed -n 1p)" || {
    gha_annotate error "envctl comment" "could not list the pull request's comments (the job needs permissions: pull-requests: write)"
    return 1
  }
  if [ -n "$id" ]; then
    ghx api --method PATCH "$api/comments/$id" -F "body=@$2" --jq .html_url >/dev/null || {
      gha_annotate error "envctl comment" "could not update comment $id (the job needs permissions: pull-requests: write)"
      return 1
    }
    echo "updated the comment $id"
  else
    id="$(ghx api --method POST "$api/$pull_request/comments" -F "body=@$2" --jq .id)" || {
      gha_annotate error "envctl comment" "could not comment on pull request #$pull_request (the job needs permissions: pull-requests: write)"
      return 1
    }
    echo "created the comment $id"
  fi
}

rank() { case "$1" in 0) echo 0 ;; 2) echo 1 ;; 3) echo 2 ;; *) echo 3 ;; esac; }

worst=0
changes=false
comment_failed=""

for name in "${names[@]}"; do
  label="$command${name:+ $name}"
  slug="${name:-all}"
  md="$work/$slug.md"
  err="$work/$slug.err"
  args=()
  while IFS= read -r a; do args+=("$a"); done < <(envctl_args "$command" "$name" markdown)

  echo "::group::envctl ${args[*]}"
  set +e
  envctl "${args[@]}" >"$md" 2>"$err"
  code=$?
  set -e
  cat "$err" >&2
  echo "::endgroup::"

  if [ ! -s "$md" ]; then
    # No plan on stdout: the comment and summary show envctl's errors,
    # which never contain a secret's value.
    {
      if [ -n "$name" ]; then
        # shellcheck disable=SC2016 # the backticks are Markdown
        printf '### envctl %s: `%s` — ⚠️ error (exit %s)\n\n~~~\n' "$command" "$name" "$code"
      else
        printf '### envctl %s — ⚠️ error (exit %s)\n\n~~~\n' "$command" "$code"
      fi
      cat "$err"
      printf '~~~\n'
    } >"$md"
  fi
  cat "$md"

  # Findings as annotations on the files' lines (a second, read-only run
  # in GitHub's format), only when there is something to annotate.
  if [ "$code" = 1 ] || [ "$code" = 3 ] || grep -q '^#### Rules' "$md"; then
    args=()
    while IFS= read -r a; do args+=("$a"); done < <(envctl_args "$command" "$name" github)
    envctl "${args[@]}" 2>/dev/null | grep '^::' || true
  fi
  case "$code" in
    0) ;;
    2)
      changes=true
      if is_true "$fail_on_changes"; then
        gha_annotate error "envctl $label" "changes to apply (fail-on-changes is on)"
      else
        gha_annotate notice "envctl $label" "changes to apply: see the job summary"
      fi
      ;;
    3) gha_annotate error "envctl $label" "refused: the plan breaks a rule (see the job summary)" ;;
    *) gha_annotate error "envctl $label" "envctl failed (exit $code): $(head -n 1 "$err")" ;;
  esac

  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    { cat "$md"; printf '\n'; } >>"$GITHUB_STEP_SUMMARY"
  fi
  if [ -n "$commenting" ]; then
    marker="<!-- envctl: $label -->"
    { printf '%s\n' "$marker"; cat "$md"; } >"$work/$slug.body"
    upsert_comment "$marker" "$work/$slug.body" || comment_failed=1
  fi

  # The most serious result: 1 (or any other failure) over 3 over 2 over 0.
  case "$code" in 0 | 2 | 3) ;; *) code=1 ;; esac
  if [ "$(rank "$code")" -gt "$(rank "$worst")" ]; then worst="$code"; fi
done

# A comment GitHub refused fails the step, after every environment ran.
if [ -n "$comment_failed" ] && [ "$(rank 1)" -gt "$(rank "$worst")" ]; then worst=1; fi

if [ -n "${GITHUB_OUTPUT:-}" ]; then
  printf 'exit-code=%s\nchanges=%s\n' "$worst" "$changes" >>"$GITHUB_OUTPUT"
fi
case "$worst" in
  0) exit 0 ;;
  2) if is_true "$fail_on_changes"; then exit 2; fi; exit 0 ;;
  *) exit "$worst" ;;
esac

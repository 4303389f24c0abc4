# shellcheck shell=bash
# Helpers shared by action/install.sh and action/run.sh (sourced, not run).
# Bash 3.2 or newer: macOS runners ship 3.2, Windows runners Git Bash.

# Prints a workflow command's message or property value with the
# characters GitHub gives meaning to escaped (%, CR, LF; and : and , in
# properties).
gha_escape() {
  local s="${1//%/%25}"
  s="${s//$'\r'/%0D}"
  s="${s//$'\n'/%0A}"
  printf '%s' "$s"
}

gha_escape_property() {
  local s
  s="$(gha_escape "$1")"
  s="${s//:/%3A}"
  s="${s//,/%2C}"
  printf '%s' "$s"
}

# `::error title=TITLE::MESSAGE` (or warning, notice).
gha_annotate() {
  printf '::%s title=%s::%s\n' "$1" "$(gha_escape_property "$2")" "$(gha_escape "$3")"
}

# Fails the step with an error annotation.
die() {
  gha_annotate error "envctl action" "$1"
  exit 1
}

# Points `gh` at the server the workflow runs on: github.com by default;
# on GitHub Enterprise Server (or any GITHUB_SERVER_URL other than
# https://github.com), that host, which `gh` reaches at
# https://HOST/api/v3 with GH_ENTERPRISE_TOKEN. The token is given to
# `gh` alone (see ghx), never exported: envctl reads GH_TOKEN for its
# `github` targets, and the job's own token must not stand in for the
# one the job set for them.
gh_setup() {
  gh_token="$1"
  if [ -z "${GH_HOST:-}" ] && [ -n "${GITHUB_SERVER_URL:-}" ] \
    && [ "${GITHUB_SERVER_URL%/}" != "https://github.com" ]; then
    GH_HOST="${GITHUB_SERVER_URL#*://}"
    GH_HOST="${GH_HOST%%/*}"
  fi
  gh_host="${GH_HOST:-github.com}"
  command -v gh >/dev/null 2>&1 \
    || die "GitHub's CLI \`gh\` is not on PATH (it is on GitHub's hosted runners; install it on a self-hosted one)"
}

# `gh ARGS…` with the action's token and host.
ghx() {
  GH_HOST="$gh_host" GH_TOKEN="$gh_token" GH_ENTERPRISE_TOKEN="$gh_token" \
    GH_PROMPT_DISABLED=1 GH_NO_UPDATE_NOTIFIER=1 NO_COLOR=1 gh "$@"
}

# A folder for temporary files: the runner's RUNNER_TEMP (as a POSIX path
# in Git Bash on Windows), else TMPDIR or /tmp.
temp_root() {
  local dir="${RUNNER_TEMP:-${TMPDIR:-/tmp}}"
  if command -v cygpath >/dev/null 2>&1; then dir="$(cygpath -u "$dir")"; fi
  printf '%s' "$dir"
}

is_true() {
  case "$1" in
    true | True | TRUE | yes | 1) return 0 ;;
    false | False | FALSE | no | 0 | "") return 1 ;;
    *) die "expected true or false, got '$1'" ;;
  esac
}

#!/usr/bin/env bash
# Installs the released envctl binary for this runner (action.yml).
#
#   install.sh resolve   picks the release and the target and writes the
#                        step outputs version, target, dir (the folder
#                        actions/cache keeps)
#   install.sh install   downloads the archive and its .sha256 from the
#                        release unless dir already holds the binary (a
#                        cache hit), checks the SHA-256, unpacks it into
#                        dir and puts dir on PATH
#
# Environment: ENVCTL_VERSION (the `version` input: `1.2.3`, `v1.2.3`,
# `latest`, or empty), ENVCTL_ACTION_REPOSITORY and ENVCTL_ACTION_REF
# (where the action came from), ENVCTL_ACTION_TOKEN (for GitHub's API),
# ENVCTL_DIR (install), and the runner's RUNNER_OS, RUNNER_ARCH,
# RUNNER_TOOL_CACHE, RUNNER_TEMP, GITHUB_OUTPUT, GITHUB_PATH.
#
# Asset names follow the release workflow (.github/workflows/release.yml):
# envctl-vX.Y.Z-<target>.tar.gz (.zip on Windows), each with
# <asset>.sha256 in `sha256sum` format.
set -euo pipefail
# shellcheck source=action/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

repo="${ENVCTL_ACTION_REPOSITORY:-envctl-dev/envctl}"
gh_setup "${ENVCTL_ACTION_TOKEN:-}"
unset ENVCTL_ACTION_TOKEN

target_for_runner() {
  case "${RUNNER_OS:-}:${RUNNER_ARCH:-}" in
    Linux:X64) echo x86_64-unknown-linux-musl ;;
    Linux:ARM64) echo aarch64-unknown-linux-musl ;;
    macOS:X64) echo x86_64-apple-darwin ;;
    macOS:ARM64) echo aarch64-apple-darwin ;;
    # Windows on Arm runs the x86_64 build under emulation.
    Windows:X64 | Windows:ARM64) echo x86_64-pc-windows-msvc ;;
    *) die "no envctl release for runner ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}" ;;
  esac
}

# The newest published release whose tag starts with PREFIX (`v0.` for an
# action used at @v0), or the repository's latest release.
newest_release() {
  local prefix="$1" tag
  if [ -z "$prefix" ]; then
    tag="$(ghx api "repos/$repo/releases/latest" --jq .tag_name)" \
      || die "could not find the latest release of $repo"
  else
    tag="$(ghx api --paginate "repos/$repo/releases?per_page=100" \
      --jq ".[] | select(.draft | not) | select(.prerelease | not) | .tag_name" \
      | grep -E "^${prefix//./\\.}[0-9]+(\.[0-9]+)*$" | sort -V | tail -n 1)" || true
    [ -n "$tag" ] || die "$repo has no release ${prefix}x"
  fi
  printf '%s' "$tag"
}

resolve() {
  local version="${ENVCTL_VERSION:-}" ref="${ENVCTL_ACTION_REF:-}" target dir
  case "$version" in
    latest) version="$(newest_release "")" ;;
    v[0-9]*.*.*) ;;
    [0-9]*.*.*) version="v$version" ;;
    "")
      case "$ref" in
        v[0-9]*.[0-9]*.[0-9]*) version="$ref" ;;             # @v1.2.3: that release
        v[0-9]* | v[0-9]*.[0-9]*) version="$(newest_release "$ref.")" ;; # @v1, @v1.2
        *) version="$(newest_release "")" ;;                # a branch or a commit
      esac
      ;;
    *) die "version must be X.Y.Z, vX.Y.Z or latest, not '$version'" ;;
  esac
  case "$version" in
    *[!A-Za-z0-9._-]*) die "'$version' is not a release tag" ;;
  esac
  target="$(target_for_runner)"
  dir="${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-/tmp}}/envctl/$version/$target"
  if command -v cygpath >/dev/null 2>&1; then dir="$(cygpath -w "$dir")"; fi
  echo "envctl $version for $target"
  printf 'version=%s\ntarget=%s\ndir=%s\n' "$version" "$target" "$dir" >>"${GITHUB_OUTPUT:-/dev/null}"
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d ' ' -f 1
  else
    shasum -a 256 "$1" | cut -d ' ' -f 1
  fi
}

unpack() { # ARCHIVE DIR
  case "$1" in
    *.tar.gz) tar -xzf "$1" -C "$2" ;;
    *.zip)
      if command -v unzip >/dev/null 2>&1; then
        unzip -q -o "$1" -d "$2"
      elif command -v 7z >/dev/null 2>&1; then
        7z x -y "-o$2" "$1" >/dev/null
      else
        powershell -NoProfile -Command "Expand-Archive -Force -LiteralPath '$1' -DestinationPath '$2'"
      fi
      ;;
  esac
}

install() {
  local version="${ENVCTL_VERSION:?}" target="${ENVCTL_TARGET:?}" dir="${ENVCTL_DIR:?}"
  local exe=envctl ext=tar.gz
  case "$target" in *windows*) exe=envctl.exe ext=zip ;; esac
  local native_dir="$dir"
  if command -v cygpath >/dev/null 2>&1; then dir="$(cygpath -u "$dir")"; fi
  if [ ! -x "$dir/$exe" ]; then
    local asset="envctl-$version-$target.$ext" tmp expected actual name
    tmp="$(mktemp -d "$(temp_root)/envctl-install.XXXXXX")"
    ghx release download "$version" --repo "$repo" --dir "$tmp" \
      --pattern "$asset" --pattern "$asset.sha256" \
      || die "could not download $asset from $repo's release $version"
    read -r expected name <"$tmp/$asset.sha256" || true
    [ "${name#\*}" = "$asset" ] || die "$asset.sha256 names '${name:-nothing}', not $asset"
    actual="$(sha256_of "$tmp/$asset")"
    [ "$actual" = "$expected" ] \
      || die "$asset: SHA-256 $actual does not match $expected from $asset.sha256; not installed"
    mkdir -p "$dir"
    unpack "$tmp/$asset" "$dir"
    rm -rf "$tmp"
    [ -f "$dir/$exe" ] || die "$asset holds no $exe"
    chmod +x "$dir/$exe"
    echo "installed $asset (SHA-256 $actual)"
  else
    echo "envctl $version for $target from the cache"
  fi
  printf '%s\n' "$native_dir" >>"${GITHUB_PATH:-/dev/null}"
  "$dir/$exe" --version
}

case "${1:-}" in
  resolve) resolve ;;
  install) install ;;
  *) die "usage: install.sh resolve|install" ;;
esac

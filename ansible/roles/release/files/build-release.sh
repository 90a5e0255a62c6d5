#!/usr/bin/env bash
# Builds the release tarball on the controller: the files services need at run time (tracked and untracked, minus
# what .gitignore excludes; never node_modules), in a byte-for-byte reproducible tar.gz named after its content,
# so an unchanged tree gives the same release and a deploy changes nothing.
#
# usage: build-release.sh REPO OUT_DIR LABEL PATH...   (REPO: a git checkout, or a plain copy of one)
# prints: {"id": "<12 hex>", "tarball": "<OUT_DIR>/prestacop-<id>.tar.gz"}
set -euo pipefail
repo=$1 out=$2 label=$3
shift 3
cd "$repo"
paths=()
for p in "$@"; do [ -e "$p" ] && paths+=("$p"); done
set -- "${paths[@]}"
mkdir -p "$out"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# BUILD: what this release is (commit, whether the tree differed from it, the label).
commit=none dirty=unknown
if git rev-parse --git-dir > /dev/null 2>&1; then
  commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo none)
  dirty=$(git status --porcelain -- "$@" | head -c1 | wc -c)
fi
printf 'commit=%s\ndirty=%s\nlabel=%s\n' "$commit" "$dirty" "$label" > "$stage/BUILD"

if git rev-parse --git-dir > /dev/null 2>&1; then
  git ls-files -z --cached --others --exclude-standard -- "$@"
else # a plain copy of a tree (the local test builds from a snapshot): everything but node_modules
  find "$@" -name node_modules -prune -o -type f -print0
fi | while IFS= read -r -d '' f; do [ -f "$f" ] && printf '%s\0' "$f"; done | LC_ALL=C sort -z > "$stage/files"

flags=(--sort=name --mtime='2020-01-01 00:00Z' --owner=0 --group=0 --numeric-owner --mode='u+rwX,go+rX,go-w')
tar "${flags[@]}" --null -T "$stage/files" -cf "$stage/app.tar"
tar "${flags[@]}" -C "$stage" -rf "$stage/app.tar" BUILD
gzip -n -9 < "$stage/app.tar" > "$stage/app.tar.gz"
id=$(sha256sum "$stage/app.tar.gz" | cut -c1-12)
tarball="$out/prestacop-$id.tar.gz"
[ -f "$tarball" ] || mv "$stage/app.tar.gz" "$tarball"
printf '{"id": "%s", "tarball": "%s"}\n' "$id" "$tarball"

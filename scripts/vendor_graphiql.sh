#!/usr/bin/env bash
# Re-fetch the vendored GraphiQL browser assets into static/graphiql/ from the npm
# registry, pinned to the exact versions listed in static/graphiql/VERSIONS.
#
# Maintenance only: the resulting files are committed, so neither the build nor the
# running app needs npm or network access. To upgrade, edit VERSIONS, run this
# script, then run `pytest tests/test_graphiql.py` and check the page in a browser.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/static/graphiql"
versions="$dest/VERSIONS"
command -v npm >/dev/null || { echo "npm is required" >&2; exit 1; }
[[ -f "$versions" ]] || { echo "missing $versions" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# package name -> files (relative to the tarball's package/ dir) to keep.
files_for() {
  case "$1" in
    graphiql)   echo "graphiql.min.js graphiql.min.css LICENSE" ;;
    react)      echo "umd/react.production.min.js LICENSE" ;;
    react-dom)  echo "umd/react-dom.production.min.js LICENSE" ;;
    graphql-ws) echo "umd/graphql-ws.min.js LICENSE.md" ;;
    *) echo "unknown package '$1' in VERSIONS" >&2; return 1 ;;
  esac
}

while read -r spec; do
  [[ -z "$spec" || "$spec" == \#* ]] && continue
  name="${spec%@*}"
  version="${spec##*@}"
  [[ -n "$name" && "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] \
    || { echo "VERSIONS line must be name@x.y.z: '$spec'" >&2; exit 1; }
  wanted="$(files_for "$name")"

  work="$tmp/$name"
  mkdir -p "$work"
  # npm pack checks the tarball against the registry's integrity hash.
  tarball="$(cd "$work" && npm pack --silent "$name@$version" | tail -n 1)"
  tar -xzf "$work/$tarball" -C "$work"

  rm -rf "${dest:?}/$name"
  mkdir -p "$dest/$name"
  for f in $wanted; do
    cp "$work/package/$f" "$dest/$name/$(basename "$f")"
  done
  echo "vendored $name@$version: $wanted"
done < "$versions"

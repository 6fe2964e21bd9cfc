#!/usr/bin/env bash
# Front-end clients against schema.graphql (README, "Keeping clients working"):
#   1. the Relay project (examples/clients/relay) compiles with relay-compiler and type-checks;
#   2. the GraphQL Codegen project (examples/clients/codegen, strictScalars) generates and
#      type-checks;
#   3. graphql-inspector validates both projects' operations (deprecated fields reported);
#   4. graphql-inspector diff: no breaking change against the baseline schema.graphql, unless
#      the field was @deprecated there or the change is in accepted-breaking-changes.txt.
#
# The baseline: the commit named by SCHEMA_BASELINE (any git revision) if set; else the merge
# base with the upstream branch (origin/main, else origin/HEAD) when it differs from HEAD; else
# HEAD's first parent (for a merge, the branch merged into). No history: the diff is skipped,
# saying why. SCHEMA_BASELINE=none skips it too.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
clients="$root/examples/clients"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

command -v node >/dev/null && command -v npm >/dev/null || {
  echo "clients: Node.js 20+ and npm are needed (Debian: apt-get install nodejs npm)" >&2
  exit 1
}
echo "clients: node $(node --version), npm $(npm --version)"
for project in relay codegen; do
  (cd "$clients/$project" && npm ci --no-audit --no-fund --loglevel=error)
done

echo "clients: Relay: relay-compiler, then tsc"
(cd "$clients/relay" && npx --no-install relay-compiler && npx --no-install tsc --noEmit)
(cd "$clients/relay" && node print-operations.mjs "$work/relay")

echo "clients: GraphQL Codegen (strictScalars): graphql-codegen, then tsc"
(cd "$clients/codegen" && npx --no-install graphql-codegen --config codegen.ts --silent && npx --no-install tsc --noEmit)

inspector() { (cd "$clients/codegen" && npx --no-install graphql-inspector "$@"); }

echo "clients: graphql-inspector validate (Relay's compiled operations, Codegen's documents)"
inspector validate "$work/relay/*.graphql" "$root/schema.graphql" --noStrictFragments
inspector validate "$clients/codegen/src/*.ts" "$root/schema.graphql"

baseline="${SCHEMA_BASELINE:-}"
reason=""
if [ "$baseline" = none ]; then
  reason="SCHEMA_BASELINE=none"
  baseline=""
elif [ -z "$baseline" ]; then
  if ! git rev-parse --verify --quiet HEAD >/dev/null; then
    reason="not a git checkout with commits"
  else
    for upstream in origin/main origin/HEAD; do
      if base="$(git merge-base HEAD "$upstream" 2>/dev/null)" && [ "$base" != "$(git rev-parse HEAD)" ]; then
        baseline="$base"
        break
      fi
    done
    if [ -z "$baseline" ]; then
      if git rev-parse --verify --quiet 'HEAD^1' >/dev/null; then
        baseline="$(git rev-parse 'HEAD^1')"
      else
        reason="HEAD has no parent (a shallow or single-commit clone)"
      fi
    fi
  fi
fi
if [ -n "$baseline" ] && ! git cat-file -e "$baseline:schema.graphql" 2>/dev/null; then
  reason="$baseline has no schema.graphql"
  baseline=""
fi
if [ -z "$baseline" ]; then
  echo "clients: breaking-change check skipped: $reason"
else
  echo "clients: graphql-inspector diff against schema.graphql at $(git rev-parse --short "$baseline")"
  git show "$baseline:schema.graphql" >"$work/baseline.graphql"
  inspector diff "$work/baseline.graphql" "$root/schema.graphql" \
    --rule suppressRemovalOfDeprecatedField \
    --rule "$clients/accept-breaking-changes.js" \
    --onComplete "$clients/report-breaking-changes.js"
fi
echo "clients: all checks passed"

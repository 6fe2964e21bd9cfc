// graphql-inspector diff rule: a breaking change listed in accepted-breaking-changes.txt (beside
// this file) is reported as dangerous instead of breaking, so an intended, reviewed break does
// not fail the schema check. Each line: `<CHANGE_TYPE> <path>`, then optionally `# why`.
const { readFileSync } = require("node:fs");
const { join } = require("node:path");

function accepted() {
  const entries = new Set();
  const text = readFileSync(join(__dirname, "accepted-breaking-changes.txt"), "utf8");
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*/, "").trim();
    if (!line) continue;
    const [type, path, ...rest] = line.split(/\s+/);
    if (!path || rest.length) throw new Error(`accepted-breaking-changes.txt: expected "<CHANGE_TYPE> <path>", got "${raw}"`);
    entries.add(`${type} ${path}`);
  }
  return entries;
}

module.exports = ({ changes }) => {
  const entries = accepted();
  return changes.map((change) => {
    if (change.criticality.level !== "BREAKING" || !entries.has(`${change.type} ${change.path}`)) return change;
    return {
      ...change,
      criticality: { ...change.criticality, level: "DANGEROUS", reason: "accepted in accepted-breaking-changes.txt" },
    };
  });
};

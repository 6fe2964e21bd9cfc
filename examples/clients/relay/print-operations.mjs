// Writes each operation relay-compiler generated (src/__generated__/*.graphql.ts, the text
// sent on the wire, Relay's directives compiled away) to <outdir>/<Name>.graphql, so
// graphql-inspector can validate them against schema.graphql.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const outdir = process.argv[2];
if (!outdir) {
  console.error("usage: node print-operations.mjs <outdir>");
  process.exit(2);
}
mkdirSync(outdir, { recursive: true });
const generated = "src/__generated__";
let count = 0;
for (const file of readdirSync(generated).sort()) {
  const match = readFileSync(join(generated, file), "utf8").match(/^\s*"text": ("(?:[^"\\]|\\.)*"),?$/m);
  if (!match) continue; // a fragment: its fields are in the operations that spread it
  writeFileSync(join(outdir, file.replace(/\.ts$/, "")), JSON.parse(match[1]) + "\n");
  count += 1;
}
if (count === 0) {
  console.error(`no operations in ${generated}: run relay-compiler first`);
  process.exit(1);
}
console.log(`${count} Relay operations written to ${outdir}`);

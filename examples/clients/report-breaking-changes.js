// graphql-inspector diff completion: fails on breaking changes, printing each one as the line
// that would accept it in accepted-breaking-changes.txt.
module.exports = ({ breakingChanges }) => {
  if (!breakingChanges.length) return;
  console.error("\nThese changes break existing clients. Deprecate the field first (@deprecated, keep it");
  console.error("working), or, when the break is intended and reviewed, list it in");
  console.error("examples/clients/accepted-breaking-changes.txt:\n");
  for (const change of breakingChanges) console.error(`  ${change.type} ${change.path}   # ${change.message}`);
  process.exit(1);
};

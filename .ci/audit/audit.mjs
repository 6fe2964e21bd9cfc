// GraphQL over HTTP conformance audit of a running server, with graphql-http's auditServer.
//
//   npm ci --prefix .ci/audit
//   node .ci/audit/audit.mjs http://127.0.0.1:8000/graphql
//
// Prints every audit's id, name and status (ok / notice / warn / error) with the reason
// of any that did not pass, then `graphql-http audit: N ok, N warn, N error`.
// Exit code: 0 if no audit ended in `error` (a failed MUST), 1 if one did, 2 on misuse
// or when the audit could not run at all (server unreachable, ...).
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url || process.argv.length > 3) {
  console.error('usage: node .ci/audit/audit.mjs <url of the GraphQL endpoint>');
  process.exit(2);
}

let results;
try {
  results = await auditServer({ url });
} catch (err) {
  console.error(`graphql-http audit could not run against ${url}:`, err);
  process.exit(2);
}

const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
for (const result of results) {
  counts[result.status] = (counts[result.status] ?? 0) + 1;
  console.log(`${result.status.padEnd(6)} ${result.id} ${result.name}`);
  if (result.status !== 'ok') {
    let detail = '';
    if (result.response) {
      const { status, headers } = result.response;
      let body = '';
      try {
        body = (await result.response.text()).slice(0, 300);
      } catch {
        // body already consumed by the audit
      }
      detail = ` [HTTP ${status}, content-type: ${headers.get('content-type')}] ${body}`;
    }
    console.log(`       ↳ ${result.reason}${detail}`);
  }
}

if (counts.notice) {
  console.log(`graphql-http audit: ${counts.notice} notice (optional MAY audits not met)`);
}
console.log(
  `graphql-http audit: ${counts.ok} ok, ${counts.warn} warn, ${counts.error} error`,
);
process.exit(counts.error > 0 ? 1 : 0);

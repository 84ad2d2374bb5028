// graphql-http's server audits against a live Graphe: `node audit.mjs <url of /graphql>`.
// Prints one JSON line per audit ({id, name, status, reason}) and exits 0; the pytest test judges them.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs http://127.0.0.1:PORT/graphql');
  process.exit(2);
}
for (const audit of serverAudits({ url })) {
  const result = await audit.fn();
  const line = { id: audit.id, name: audit.name, status: result.status };
  if (result.status !== 'ok') {
    line.reason = result.reason;
    // The answer that failed, cut short: enough to see why without flooding the test's output.
    if (result.response) {
      line.response = { status: result.response.status, body: (await result.response.text()).slice(0, 300) };
    }
  }
  console.log(JSON.stringify(line));
}

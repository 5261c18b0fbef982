// One load run with autocannon against a GraphQL endpoint; prints one JSON line of results.
//
//   node load.mjs --url http://127.0.0.1:8000/graphql --body '{"query":"{ __typename }"}' \
//     [--header 'Authorization: Bearer …']… [--connections 16] [--duration 10] \
//     [--expect-file reference.json] [--label NAME]
//
// --body-file FILE reads the body from a file. Every response body is compared with the
// reference (autocannon's expectBody, byte for byte): those that differ count as mismatches.
// Latencies are taken from each response's own timer (process.hrtime, sub-millisecond), not
// from autocannon's histogram, which keeps whole milliseconds.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

import autocannon from "autocannon";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    body: { type: "string" },
    "body-file": { type: "string" },
    header: { type: "string", multiple: true, default: [] },
    connections: { type: "string", default: "16" },
    duration: { type: "string", default: "10" },
    "expect-file": { type: "string" },
    label: { type: "string", default: "" },
    timeout: { type: "string", default: "30" },
  },
});

if (!values.url || (values.body === undefined && values["body-file"] === undefined)) {
  console.error("usage: node load.mjs --url URL (--body JSON | --body-file FILE) [options]");
  process.exit(2);
}
const body = values.body ?? readFileSync(values["body-file"], "utf8");
const headers = { "content-type": "application/json" };
for (const header of values.header) {
  const at = header.indexOf(":");
  if (at < 1) {
    console.error(`bad --header ${JSON.stringify(header)}: expected 'Name: value'`);
    process.exit(2);
  }
  headers[header.slice(0, at).trim().toLowerCase()] = header.slice(at + 1).trim();
}
const connections = Number(values.connections);
const duration = Number(values.duration);
const expectBody = values["expect-file"] ? readFileSync(values["expect-file"], "utf8") : undefined;

const latencies = [];
const started = process.hrtime.bigint();
const instance = autocannon({
  url: values.url,
  method: "POST",
  headers,
  body,
  connections,
  pipelining: 1,
  duration,
  timeout: Number(values.timeout),
  expectBody,
});
instance.on("response", (_client, _statusCode, _bytes, responseTime) => {
  latencies.push(responseTime);
});
const result = await instance;
const wall = Number(process.hrtime.bigint() - started) / 1e9;

latencies.sort((a, b) => a - b);
const percentile = (p) =>
  latencies.length ? latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] : null;
const seconds = result.duration || wall;
const round = (x, digits = 3) => (x === null ? null : Number(x.toFixed(digits)));
console.log(
  JSON.stringify({
    label: values.label,
    url: values.url,
    connections,
    duration_s: round(seconds),
    total: latencies.length,
    rps: round(latencies.length / seconds, 1),
    p50_ms: round(percentile(50)),
    p99_ms: round(percentile(99)),
    mean_ms: round(latencies.length ? latencies.reduce((a, b) => a + b, 0) / latencies.length : null),
    max_ms: round(latencies.length ? latencies[latencies.length - 1] : null),
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    mismatches: result.mismatches ?? 0,
    checked: expectBody !== undefined,
  }),
);

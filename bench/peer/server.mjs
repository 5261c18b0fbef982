// The peer of bench/peer_compare.py: @neo4j/graphql 7 on Apollo Server 5, over the same Bolt
// graph as graph-service.
//
// Served by a plain node:http server calling Apollo's executeHTTPGraphQLRequest (no Express,
// no standalone wrapper: the least code between the socket and the library). Environment:
//   PEER_PORT          port to listen on (loopback; default 4000)
//   PEER_BOLT_URI      the engine's Bolt URI (default bolt://127.0.0.1:7687)
//   PEER_BOLT_USER     default root
//   PEER_BOLT_PASSWORD the engine's password (required)
//   PEER_DATABASE      the database (default graph, the embedded engine's)
//   PEER_JWT_SECRET    when set, every request needs `Authorization: Bearer <HS256 token>`
//                      signed with this secret (as graph-service's AUTH_SECRET); else 401
//   PEER_WORKERS       N > 1: a Node cluster of N workers sharing the port
//
// The embedded ArcadeDB engine refuses the `CYPHER 5` prefix that @neo4j/graphql 7 puts before
// every statement: the context's cypherQueryOptions { addVersionPrefix: false } leaves it out.
import cluster from "node:cluster";
import http from "node:http";

import { ApolloServer, HeaderMap } from "@apollo/server";
import { Neo4jGraphQL } from "@neo4j/graphql";
import { jwtVerify } from "jose";
import neo4j from "neo4j-driver";

// The graph as graph-service's store writes it (graph_service/store/members.py, circles.py,
// bulk.py): members are (:Person:Member) with a status, supporters who are not members
// (:Person) without one, organisations (:Organisation); a tie is
// (member)-[:SUPPORTED_BY {id, relation, status, since}]->(supporter). A union branch matches
// by label, so every member is a Person too: the Person branch is told apart by
// `memberStatus: { eq: null }` in the query (bench/peer_compare.py), Cypher `status IS NULL`.
const typeDefs = /* GraphQL */ `
  type Member @node(labels: ["Member", "Person"]) {
    id: ID!
    displayName: String!
    status: String!
    memberSince: String
    supporters: [Supporter!]!
      @relationship(type: "SUPPORTED_BY", direction: OUT, properties: "SupportedBy")
  }

  type Person @node(labels: ["Person"]) {
    id: ID!
    displayName: String!
    "The member status when this person is a member too; null for a supporter who is not."
    memberStatus: String @alias(property: "status")
  }

  type Organisation @node(labels: ["Organisation"]) {
    id: ID!
    name: String!
    kind: String
  }

  union Supporter = Member | Person | Organisation

  type SupportedBy @relationshipProperties {
    id: ID!
    relation: String!
    status: String!
    since: String
  }
`;

const env = process.env;
const port = Number(env.PEER_PORT ?? 4000);
const workers = Number(env.PEER_WORKERS ?? 1);

async function serve() {
  const password = env.PEER_BOLT_PASSWORD;
  if (!password) throw new Error("PEER_BOLT_PASSWORD is required");
  const driver = neo4j.driver(
    env.PEER_BOLT_URI ?? "bolt://127.0.0.1:7687",
    neo4j.auth.basic(env.PEER_BOLT_USER ?? "root", password),
  );
  const schema = await new Neo4jGraphQL({ typeDefs, driver }).getSchema();
  const apollo = new ApolloServer({ schema, introspection: false });
  await apollo.start();

  const secret = env.PEER_JWT_SECRET ? new TextEncoder().encode(env.PEER_JWT_SECRET) : null;
  const database = env.PEER_DATABASE ?? "graph";
  const baseContext = {
    sessionConfig: { database },
    cypherQueryOptions: { addVersionPrefix: false },
  };

  async function context(headers) {
    const context = { ...baseContext };
    if (secret) {
      const match = /^Bearer (.+)$/.exec(headers.get("authorization") ?? "");
      if (!match) return null;
      try {
        const { payload } = await jwtVerify(match[1], secret, { algorithms: ["HS256"] });
        context.jwt = payload; // verified: @neo4j/graphql treats it as trusted
      } catch {
        return null;
      }
    }
    return context;
  }

  const server = http.createServer(async (req, res) => {
    try {
      const chunks = [];
      for await (const chunk of req) chunks.push(chunk);
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
      }
      const ctx = await context(headers);
      if (ctx === null) {
        res.writeHead(401, { "content-type": "application/json" });
        res.end('{"errors":[{"message":"unauthenticated"}]}');
        return;
      }
      const url = new URL(req.url ?? "/", "http://localhost");
      const text = Buffer.concat(chunks).toString("utf8");
      const response = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: {
          method: (req.method ?? "GET").toUpperCase(),
          headers,
          search: url.search,
          body: text && headers.get("content-type")?.startsWith("application/json") ? JSON.parse(text) : text,
        },
        context: async () => ctx,
      });
      for (const [key, value] of response.headers) res.setHeader(key, value);
      res.statusCode = response.status ?? 200;
      if (response.body.kind === "complete") {
        res.end(response.body.string);
      } else {
        for await (const part of response.body.asyncIterator) res.write(part);
        res.end();
      }
    } catch (error) {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ errors: [{ message: String(error?.message ?? error) }] }));
    }
  });
  server.keepAliveTimeout = 65_000;
  server.listen(port, "127.0.0.1", () => {
    console.log(`peer listening on http://127.0.0.1:${port}/graphql (pid ${process.pid})`);
  });
  const stop = () => {
    server.close();
    server.closeAllConnections();
    Promise.allSettled([apollo.stop(), driver.close()]).then(() => process.exit(0));
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

if (workers > 1 && cluster.isPrimary) {
  for (let i = 0; i < workers; i += 1) cluster.fork();
  let stopping = false;
  cluster.on("exit", (worker, code) => {
    if (!stopping) {
      console.error(`peer worker ${worker.process.pid} exited with ${code}: stopping`);
      stopping = true;
      for (const other of Object.values(cluster.workers ?? {})) other?.kill("SIGTERM");
      process.exitCode = 1;
    }
  });
  const stopAll = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill("SIGTERM");
  };
  process.on("SIGTERM", stopAll);
  process.on("SIGINT", stopAll);
} else {
  serve().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

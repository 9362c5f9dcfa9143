// The standard peer of benchmarks/graphql.py: the Neo4j GraphQL Library on Apollo Server, over
// the same Neo4j as COCO Atlas. Type definitions are generated from COCO's schema by
// benchmarks/peer/typedefs.py (one source of truth) and passed as a file.
//
//   NEO4J_URI=bolt://127.0.0.1:7687 TYPEDEFS=/tmp/typedefs.graphql PORT=4000 node server.mjs
import { readFileSync } from "node:fs";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { Neo4jGraphQL } from "@neo4j/graphql";
import neo4j from "neo4j-driver";

const typeDefs = readFileSync(process.env.TYPEDEFS, "utf8");
const driver = neo4j.driver(process.env.NEO4J_URI);
const neoSchema = new Neo4jGraphQL({ typeDefs, driver });
const server = new ApolloServer({ schema: await neoSchema.getSchema() });
const { url } = await startStandaloneServer(server, {
  listen: { host: "127.0.0.1", port: Number(process.env.PORT || 4000) },
});
console.log(`peer ready at ${url}`);

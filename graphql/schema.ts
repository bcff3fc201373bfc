import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { resolvers } from './resolvers';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'schema');

/** The SDL files, one per area; common.graphql first since the others extend its root types. */
export function loadTypeDefs() {
  const files = readdirSync(dir).filter((f) => f.endsWith('.graphql')).sort((a, b) => (a === 'common.graphql' ? -1 : b === 'common.graphql' ? 1 : a.localeCompare(b)));
  return files.map((f) => readFileSync(path.join(dir, f), 'utf8'));
}

/** One schema for HTTP and WebSocket. */
export function buildSchema() {
  return makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers });
}

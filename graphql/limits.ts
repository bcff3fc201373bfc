import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { GraphQLError, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema, type ValidationRule } from 'graphql';

/**
 * Request shape limits, applied before any resolver runs, to HTTP (Apollo) and WebSocket (graphql-ws)
 * alike. Page sizes are capped separately where each list is served (services/paging.ts).
 */
export const LIMITS = {
  /** Lexer tokens in one document. */
  maxTokens: 2000,
  /** Nesting of selections (the console's deepest query is 6). */
  maxDepth: 10,
  maxAliases: 15,
  maxDirectives: 20,
  /** graphql-armor's static cost (objects 2, scalars 1, ×1.5 per depth level); a literal `first: 500` page of jobs costs about 10,000. */
  maxCost: 20000,
} as const;

/**
 * graphql-armor's rules throw their error by default (propagateOnRejection), which graphql-js
 * does not treat as a validation error: Apollo answered INTERNAL_SERVER_ERROR (500) and graphql-ws
 * closed the socket. Reported through the validation context instead, a rejected document is an
 * ordinary GRAPHQL_VALIDATION_FAILED answer, still before any resolver runs.
 */
const report = () => ({
  propagateOnRejection: false,
  onReject: [(ctx: unknown, err: GraphQLError) => (ctx as { reportError(e: GraphQLError): void }).reportError(new GraphQLError(err.message.replace(/^Syntax Error: /, '')))],
});

export function limitRules(): ValidationRule[] {
  const rules: ValidationRule[] = [
    maxDepthRule({ n: LIMITS.maxDepth, exposeLimits: true, ...report() }),
    // graphql-armor does not count `__typename` aliases by default: 2,000 tokens of them were still
    // hundreds of answer fields per request. Every alias counts.
    maxAliasesRule({ n: LIMITS.maxAliases, allowList: [], exposeLimits: true, ...report() }),
    maxDirectivesRule({ n: LIMITS.maxDirectives, exposeLimits: true, ...report() }),
    costLimitRule({ maxCost: LIMITS.maxCost, exposeLimits: true, ...report() }),
  ];
  return rules;
}

/** Documents that passed, by query text (Apollo's document store does the same for HTTP): a client resubscribing with the same text skips parse and validation. */
const validated = new Map<string, DocumentNode>();
const VALIDATED_MAX = 500;

/** Parses and validates like Apollo does for HTTP; graphql-ws bypasses Apollo, so subscriptions use this. */
export function parseAndValidate(schema: GraphQLSchema, query: string, production: boolean): { document: DocumentNode } | { errors: GraphQLError[] } {
  const key = `${production ? 'p' : 'd'}:${query}`;
  const known = validated.get(key);
  if (known) return { document: known };
  const checked = parseAndValidateOnce(schema, query, production);
  if ('document' in checked && query.length <= 20_000) {
    if (validated.size >= VALIDATED_MAX) validated.delete(validated.keys().next().value!);
    validated.set(key, checked.document);
  }
  return checked;
}

function parseAndValidateOnce(schema: GraphQLSchema, query: string, production: boolean): { document: DocumentNode } | { errors: GraphQLError[] } {
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: LIMITS.maxTokens });
  } catch (e) {
    const err = e instanceof GraphQLError ? e : new GraphQLError(String(e));
    return { errors: [new GraphQLError(err.message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })] };
  }
  const errors = validate(schema, document, [...specifiedRules, ...limitRules()]);
  // Like Apollo's hideSchemaDetailsFromClientErrors for HTTP: no field suggestions in production.
  const text = (m: string) => (production ? m.replace(/ Did you mean .*$/s, '') : m);
  if (errors.length) return { errors: errors.map((e) => new GraphQLError(text(e.message), { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })) };
  return { document };
}

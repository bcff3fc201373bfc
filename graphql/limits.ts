import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { GraphQLError, NoSchemaIntrospectionCustomRule, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema, type ValidationRule } from 'graphql';

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
  /** graphql-armor's static cost (objects 2, scalars 1, ×1.5 per depth level). */
  maxCost: 5000,
} as const;

export function limitRules(production: boolean): ValidationRule[] {
  const rules: ValidationRule[] = [
    maxDepthRule({ n: LIMITS.maxDepth, exposeLimits: true }),
    maxAliasesRule({ n: LIMITS.maxAliases, exposeLimits: true }),
    maxDirectivesRule({ n: LIMITS.maxDirectives, exposeLimits: true }),
    costLimitRule({ maxCost: LIMITS.maxCost, exposeLimits: true }),
  ];
  if (production) rules.push(NoSchemaIntrospectionCustomRule);
  return rules;
}

/** Parses and validates like Apollo does for HTTP; graphql-ws bypasses Apollo, so subscriptions use this. */
export function parseAndValidate(schema: GraphQLSchema, query: string, production: boolean): { document: DocumentNode } | { errors: GraphQLError[] } {
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: LIMITS.maxTokens });
  } catch (e) {
    const err = e instanceof GraphQLError ? e : new GraphQLError(String(e));
    return { errors: [new GraphQLError(err.message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })] };
  }
  const errors = validate(schema, document, [...specifiedRules, ...limitRules(production)]);
  if (errors.length) return { errors: errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })) };
  return { document };
}

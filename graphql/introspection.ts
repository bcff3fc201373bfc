import { GraphQLError, NoSchemaIntrospectionCustomRule, validate, type DocumentNode, type GraphQLSchema } from 'graphql';

/** Cheap first look at the text: `__typename` does not match (the word goes on). */
export const MAY_INTROSPECT = /__schema\b|__type\b/;

/**
 * Introspection answers signed-in viewers (session or token), in production too, so that the API
 * explorer and integrators' tools can read the schema; an anonymous request gets UNAUTHENTICATED.
 * (A WebSocket is always signed in.)
 */
export function introspectionPlugin(schema: GraphQLSchema) {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request, contextValue }: { document: DocumentNode; request: { query?: string }; contextValue: { viewer?: unknown } }) {
          if (contextValue.viewer || !MAY_INTROSPECT.test(request.query ?? '')) return;
          if (validate(schema, document, [NoSchemaIntrospectionCustomRule]).length)
            throw new GraphQLError('Sign in (or send an API token) to read the schema.', { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
        },
      };
    },
  };
}

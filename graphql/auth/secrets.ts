/** Moved to services/credentials.ts; kept while other work still imports this path. */
export * from '../../services/credentials';

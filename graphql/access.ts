/** Moved to services/access.ts (services hold the access rules); kept while other work still imports this path. */
export * from '../services/access';

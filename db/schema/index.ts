export * from './auth';
export * from './jobs';
export * from './audit';
export * from './mail';
export * from './workers';
export * from './fleet';
export * from './insight';

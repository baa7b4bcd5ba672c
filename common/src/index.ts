export * from './errors';
export * from './roles';
export * from './compliance';
export * from './schemas';
export * from './records';
export * from './collections';
export * from './record-schemas';
export * from './audit';

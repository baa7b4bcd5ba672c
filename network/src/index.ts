export * from './topology';
export * from './layout';
export * from './context';
export * from './processes';
export * from './network';
export * from './compose';
export * from './collections';
export { run, CommandError } from './exec';
export * from './gateway-client';

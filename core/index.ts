export * from './errors';
export * from './time';

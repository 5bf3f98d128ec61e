export * from './src/cache-key';
export * from './src/canonical-json';

/**
 * Jest's node environment gives each test file its own realm, with its own typed-array classes.
 * Native addons (onnxruntime-node) create their arrays in Node's main realm, and onnxruntime's
 * JavaScript then checks them with `instanceof` against the test realm's classes and throws. This
 * environment hands the test realm the main realm's binary classes, as a plain `node` process has.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- Jest loads environments as CommonJS
const { TestEnvironment } = require('jest-environment-node');

const BINARY_CLASSES = [
  'ArrayBuffer',
  'SharedArrayBuffer',
  'DataView',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
];

class SharedRealmEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of BINARY_CLASSES) this.global[name] = globalThis[name];
  }
}

module.exports = SharedRealmEnvironment;

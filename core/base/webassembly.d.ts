/**
 * The part of the WebAssembly JavaScript interface that core/base/md5-lanes.ts uses
 * (https://webassembly.github.io/spec/js-api/): TypeScript declares it only with the DOM's types,
 * which this project does not load. Merges with any other declaration of the namespace.
 */
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Memory {
    constructor(descriptor: { initial: number; maximum?: number; shared?: boolean });
    readonly buffer: ArrayBuffer;
    grow(delta: number): number;
  }
  class Instance {
    constructor(module: Module, imports?: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
  class RuntimeError extends Error {}
  function validate(bytes: Uint8Array): boolean;
}

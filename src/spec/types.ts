// The normalized spec types live beside the runtime so generated code can carry them; see spec-types.ts.
export type * from '../codegen/runtime/spec-types.js';

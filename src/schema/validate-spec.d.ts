// Types for the precompiled validator that build.ts derives (src/tools/generate.ts writes it; git ignores it).
import type { ErrorObject } from 'ajv';
declare const validate: ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
export default validate;

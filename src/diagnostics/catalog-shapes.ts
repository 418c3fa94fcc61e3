// NN3xxx (shapes) and NN4xxx (dataset/model contract) entries of the catalog; see catalog.ts.
import type { MessageDef } from './catalog.js';

export const shapeMessages = {
  NN3001: { severity: 'error', template: 'expected input of rank {expected} for {layer}, found shape {found}' },
} as const satisfies Record<string, MessageDef>;

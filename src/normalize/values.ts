// AST values -> JSON values, recording the span of every value (and argument name) in the SpanIndex.
import { diag, q } from '../diagnostics/catalog.js';
import type { Diagnostic, Span } from '../diagnostics/types.js';
import { pointer, type SpanIndex } from '../spec/spans.js';
import type { ArgNode, NameNode, PropertyNode, ValueNode } from '../syntax/ast.js';
import { argumentAliases, callAliases, callPositional, isTypedObjectKey, layerPositional, pairArguments } from './tables.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

/**
 * Keys the normalizer writes itself (a call's `type`, a training's `model`, a dataset's `name`): written as an
 * argument, one would silently replace the declaration, so it is an error that says where the value belongs.
 */
export type Reserved = Record<string, { what: string; where: string; fix: (value: string) => string }>;

/** A call's `type` is the name of the call: `max_pool2d(2, type: avg_pool2d)` must not be average pooling. */
export const callType: Reserved = { type: { what: 'type', where: 'as the name of the call', fix: (v) => `\`${v}(...)\`` } };

/** How a value reads in a did-you-mean: a name or number as written, anything longer elided. */
function written(v: ValueNode): string {
  if (v.kind === 'call' && v.args === null) return v.name.text;
  if (v.kind === 'string') return JSON.stringify(v.value);
  if (v.kind === 'number') return v.text;
  return '...';
}

export class ValueConverter {
  constructor(readonly spans: SpanIndex, readonly diagnostics: Diagnostic[]) {}

  value(v: ValueNode, ptr: string, key?: string): Json {
    this.spans.set(ptr, { value: v.span });
    switch (v.kind) {
      case 'number':
        if (!Number.isFinite(v.value)) {
          this.diagnostics.push(diag('NN1008', v.span, { found: q(v.text) }, { help: 'numbers must be finite' }));
          return 0;
        }
        return v.percent ? v.value / 100 : v.value;
      case 'string':
        return v.value;
      case 'bool':
        return v.value;
      case 'null':
        return null;
      case 'list':
        return v.items.map((item, i) => this.value(item, `${ptr}/${i}`));
      case 'object':
        return this.properties(v.props, ptr, 'this object');
      case 'call': {
        if (v.args === null) {
          // A bare name: an enum value (`relu`), or a typed object without arguments (`optimizer: adam`).
          const text = v.name.text;
          if (key === 'layer' && text in layerPositional) return this.layer(text, [], ptr, v.name.span);
          if (key && isTypedObjectKey(key)) {
            this.spans.set(`${ptr}/type`, { value: v.name.span });
            return { type: callAliases[text] ?? text };
          }
          return text;
        }
        // A layer inside a wrapper, `bidirectional(lstm(64))`: its positional arguments are the layer's own.
        if (key === 'layer' && v.name.text in layerPositional) return this.layer(v.name.text, v.args, ptr, v.name.span);
        const type = callAliases[v.name.text] ?? v.name.text;
        this.spans.set(`${ptr}/type`, { value: v.name.span });
        // An unknown name is reported by the schema; its positional arguments have no names to take.
        const args = type in callPositional ? v.args : v.args.filter((a) => a.key);
        return { type, ...this.args(args, ptr, callPositional[type] ?? [], q(v.name.text), callType) };
      }
    }
  }

  /** A layer call's arguments, positional ones named, a number given for a pair taken for both axes. */
  layer(type: string, args: ArgNode[], ptr: string, typeSpan: Span): JsonObject {
    this.spans.set(`${ptr}/type`, { value: typeSpan });
    const out = this.args(args, ptr, layerPositional[type], `layer ${q(type)}`, callType);
    for (const key of Object.keys(out)) if (pairArguments[type].has(key) && typeof out[key] === 'number') out[key] = [out[key], out[key]];
    return { type, ...out };
  }

  /** `key: value` pairs, with duplicates reported. */
  properties(props: PropertyNode[], ptr: string, owner: string, reserved?: Reserved): JsonObject {
    const out: JsonObject = {};
    for (const p of props) this.assign(out, p.key, p.value, ptr, owner, true, reserved);
    return out;
  }

  /** Call or layer arguments: positional ones take the names in `positional`, in order. */
  args(args: ArgNode[], ptr: string, positional: string[], owner: string, reserved?: Reserved): JsonObject {
    const out: JsonObject = {};
    let next = 0;
    for (const a of args) {
      if (a.key) {
        this.assign(out, a.key, a.value, ptr, owner, true, reserved);
        continue;
      }
      const name = positional[next++];
      if (name === undefined) {
        // One error for the first extra argument: a list of 100,000 of them is one mistake.
        if (next > positional.length + 1) continue;
        this.diagnostics.push(diag('NN2009', a.span, { owner, expected: positional.length, found: next }, {
          help: positional.length ? `positional arguments are ${positional.map(q).join(', ')}; name the others, e.g. \`activation: relu\`` : `name the argument, e.g. \`name: value\``,
        }));
        continue;
      }
      this.assign(out, { kind: 'name', text: name, span: a.value.span }, a.value, ptr, owner, false);
    }
    return out;
  }

  private assign(out: JsonObject, keyNode: NameNode, value: ValueNode, ptr: string, owner: string, keyWritten = true, reserved?: Reserved): void {
    const key = argumentAliases[keyNode.text] ?? keyNode.text;
    const declared = reserved && Object.hasOwn(reserved, key) ? reserved[key] : undefined;
    if (declared) {
      this.diagnostics.push(diag('NN2030', keyNode.span, { key: q(key), owner, what: declared.what, fix: declared.fix(written(value)), where: declared.where }));
      return;
    }
    const childPtr = `${ptr}${pointer(key)}`;
    if (Object.hasOwn(out, key)) {
      this.diagnostics.push(diag('NN2010', keyNode.span, { name: q(key) }, { help: `remove one of the two \`${key}\` in ${owner}` }));
      return;
    }
    // defineProperty, not `out[key] =`: a key `__proto__` (a class weight, say) must be a property, not the prototype.
    Object.defineProperty(out, key, { value: this.value(value, childPtr, key), enumerable: true, writable: true, configurable: true });
    if (keyWritten) this.spans.set(childPtr, { value: value.span, key: keyNode.span });
  }
}

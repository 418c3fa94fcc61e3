// A model's statements -> its normalized JSON: inputs, layers in source order with the tensors each takes (written
// only where they are not the previous layer's output), outputs, and blocks expanded in place. Names resolve as
// in a paper's figure: `y = conv2d(...)` names an output, a later `add(y, x)` takes it; a name used before the line
// that defines it refers to that line when the model defines it only once.
import { diag, q } from '../diagnostics/catalog.js';
import { suggest } from '../diagnostics/suggest.js';
import type { Diagnostic, Span, Via } from '../diagnostics/types.js';
import { pointer } from '../spec/spans.js';
import type { ArgNode, BlockNode, InputNode, LayerNode, ModelNode, NameNode, ValueNode } from '../syntax/ast.js';
import { layerModule, layerTypes } from '../layers/registry.js';
import type { LayerModule } from '../layers/module.js';
import { unavailableLayers } from '../layers/unavailable.js';
import { layerPositional, pairArguments } from './tables.js';
import { callType, type JsonObject, type ValueConverter } from './values.js';


interface Ref { text: string; span: Span }

/**
 * How to get a layer's states, for help lines: `out, h, c = lstm(..., return_state: true)`, or for a wrapper the
 * states of the layer it wraps with `return_state: true` (`out, forward_h, backward_h = bidirectional(gru(...))`).
 */
function returnStateHelp(type: string, args: JsonObject): string {
  const inner = args.layer as JsonObject | undefined;
  if (inner && typeof inner === 'object' && typeof inner.type === 'string') {
    const kinds = layerModule(type)?.stateOutputs?.({ ...args, layer: { ...inner, return_state: true } }) ?? [];
    return `add \`return_state: true\` to the wrapped \`${inner.type}\` to get its states: \`out, ${kinds.join(', ')} = ${type}(${inner.type}(..., return_state: true))\``;
  }
  const kinds = layerModule(type)?.stateOutputs?.({ return_state: true }) ?? [];
  return `add \`return_state: true\` to get its states: \`out, ${kinds.join(', ')} = ${type}(..., return_state: true)\``;
}

/** More repeats than any published network has layers: a typo, and a spec that would take minutes to expand. */
const MAX_REPEAT = 10_000;

/** A tensor name not known yet: a forward reference, patched when the model's statements are all read. */
const FORWARD = '\u0000';

/** `_` in `_, h, c = lstm(...)` names nothing: the tensor it stands for is not used. */
const DISCARD = '_';

export interface ModelResult {
  json: JsonObject;
  /** The name each layer gets when the spec gives none (complete.ts fills it in after the schema's defaults). */
  layerNames: string[];
}

export function normalizeModel(m: ModelNode, index: number, values: ValueConverter, blocks: Map<string, BlockNode>): ModelResult {
  return new ModelBuilder(m, index, values, blocks).build();
}

/** Deep copy of a block's statements whose spans note the use site that expanded them. */
function expandedFrom<T>(node: T, via: Via): T {
  if (Array.isArray(node)) return node.map((n) => expandedFrom(n, via)) as T;
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    out[k] = k === 'span' ? { ...(v as Span), via: (v as Span).via ? { ...via, via: (v as Span).via } : via } : expandedFrom(v, via);
  }
  return out as T;
}

/** A block body's bare-name values that are parameters, replaced by the values the use site gives. */
function substitute(v: ValueNode, params: Map<string, ValueNode>): ValueNode {
  switch (v.kind) {
    case 'call':
      if (v.args === null) return params.get(v.name.text) ?? v;
      return { ...v, args: v.args.map((a) => ({ ...a, value: substitute(a.value, params) })) };
    case 'list':
      return { ...v, items: v.items.map((i) => substitute(i, params)) };
    case 'object':
      return { ...v, props: v.props.map((p) => ({ ...p, value: substitute(p.value, params) })) };
    default:
      return v;
  }
}

interface Scope { names: Map<string, string>; model: boolean }

class ModelBuilder {
  private readonly ptr: string;
  private readonly layers: { type: string; args: JsonObject; inputs: string[]; initialState: string[] }[] = [];
  private readonly layerNames: string[] = [];
  private readonly inputs: JsonObject[] = [];
  /** Every tensor name (inputs and layers) with where it is defined. */
  private readonly tensors = new Map<string, Span>();
  private readonly counts = new Map<string, number>();
  /** How often each name is bound at model level: a name bound once may be used before its line. */
  private readonly bindings = new Map<string, number>();
  private readonly forward: { list: string[]; at: number; ref: Ref; owner: string }[] = [];
  private readonly diagnostics: Diagnostic[];

  constructor(private readonly m: ModelNode, private readonly index: number, private readonly values: ValueConverter, private readonly blocks: Map<string, BlockNode>) {
    this.ptr = pointer('models', index);
    this.diagnostics = values.diagnostics;
  }

  build(): ModelResult {
    const { m, ptr, values } = this;
    values.spans.set(ptr, { value: m.span, key: m.name.span });
    values.spans.set(`${ptr}/name`, { value: m.name.span });
    for (const s of m.body) {
      const bound = s.kind === 'input' ? [s.name.text] : s.kind === 'layer' ? [s.binding, ...s.stateBindings].map((b) => b?.text) : [];
      for (const b of bound) if (b && b !== DISCARD) this.bindings.set(b, (this.bindings.get(b) ?? 0) + 1);
      // A layer's own name (`name: "head"`) names its output too.
      const named = s.kind === 'layer' ? s.args.find((a) => a.key?.text === 'name')?.value : undefined;
      if (named?.kind === 'string' && named.value !== bound[0]) this.bindings.set(named.value, (this.bindings.get(named.value) ?? 0) + 1);
    }
    const scope: Scope = { names: new Map(), model: true };
    const out: JsonObject = { name: m.name.text };
    let outputs: { node: ValueNode; refs: Ref[] } | null = null;
    let prev: string | null = null;
    for (const stmt of m.body) {
      if (stmt.kind === 'input') {
        prev = this.input(stmt, scope);
        // where it was written, so a chain's spec keeps its key order
        out.input ??= this.inputs[0];
      }
      else if (stmt.kind === 'layer') prev = this.statement(stmt, scope, prev, null, []);
      else if (stmt.key.text === 'labels') {
        out.labels = values.value(stmt.value, `${ptr}/labels`);
        values.spans.set(`${ptr}/labels`, { value: stmt.value.span, key: stmt.key.span });
      } else if (stmt.key.text === 'outputs') {
        const items = stmt.value.kind === 'list' ? stmt.value.items : [stmt.value];
        outputs = { node: stmt.value, refs: items.map((v) => this.tensorRef(v, 'the model\'s `outputs`')).filter((r): r is Ref => r !== null) };
        values.spans.set(`${ptr}/outputs`, { value: stmt.value.span, key: stmt.key.span });
      } else {
        const known = ['labels', 'outputs', 'input'];
        this.diagnostics.push(diag('NN2015', stmt.key.span, { found: q(stmt.key.text), owner: `model ${q(m.name.text)}` }, {
          suggestions: suggest(stmt.key.text, known),
          help: suggest(stmt.key.text, known).length ? undefined : 'a model holds `input` lines, `labels`, `outputs` and layers',
        }));
      }
    }
    // Forward references and layers before any `input` line resolve now that every name is known.
    for (const f of this.forward) {
      const name = f.ref.text === FORWARD ? (this.inputs[0]?.name as string | undefined) : scope.names.get(f.ref.text);
      if (name !== undefined) f.list[f.at] = name;
      else if (f.ref.text !== FORWARD) this.undefinedName(f.ref, scope, f.owner);
    }
    if (this.inputs.length > 1) out.inputs = this.inputs;
    // A missing input or an empty layer list is the schema's to report (NN2011, NN2013).
    out.layers = this.layers.map((l, i) => {
      const byDefault = i === 0 ? (this.inputs[0]?.name as string | undefined) : this.layerNames[i - 1];
      const known = l.inputs.filter((n) => !n.startsWith(FORWARD));
      const explicit = known.length > 0 && (known.length !== 1 || known[0] !== byDefault);
      const states = l.initialState.filter((n) => !n.startsWith(FORWARD));
      return { type: l.type, ...(explicit ? { inputs: known } : {}), ...(states.length ? { initial_state: states } : {}), ...l.args };
    });
    if (outputs) {
      const resolved: string[] = [];
      outputs.refs.forEach((r, k) => {
        const name = scope.names.get(r.text);
        values.spans.set(`${ptr}/outputs/${k}`, { value: r.span });
        if (name === undefined) this.undefinedName(r, scope, 'the model\'s `outputs`');
        else resolved.push(name);
      });
      if (resolved.length) out.outputs = resolved;
    }
    return { json: out, layerNames: this.layerNames };
  }

  private input(stmt: InputNode, scope: Scope): string {
    const { ptr, values } = this;
    const i = this.inputs.length;
    const at = i === 0 ? `${ptr}/input` : `${ptr}/inputs/${i}`;
    const record = (p: string) => {
      values.spans.set(p, { value: stmt.span, key: stmt.name.span });
      values.spans.set(`${p}/name`, { value: stmt.name.span });
    };
    record(at);
    if (i === 1) record(`${ptr}/inputs/0`);
    const entry: JsonObject = { name: stmt.name.text };
    if (stmt.shape) {
      const shape = values.value(stmt.shape, `${at}/shape`);
      entry.shape = Array.isArray(shape) ? shape : [shape];
    } else {
      this.diagnostics.push(diag('NN2023', stmt.span, { name: q(stmt.name.text), model: q(this.m.name.text) }));
      entry.shape = [1];
    }
    if (stmt.dtype) {
      entry.dtype = stmt.dtype.text;
      values.spans.set(`${at}/dtype`, { value: stmt.dtype.span });
    }
    this.define(stmt.name.text, stmt.name.span);
    this.inputs.push(entry);
    scope.names.set(stmt.name.text, stmt.name.text);
    return stmt.name.text;
  }

  private define(name: string, span: Span): void {
    const first = this.tensors.get(name);
    if (first && first !== span) {
      this.diagnostics.push(diag('NN2025', span, { name: q(name), model: q(this.m.name.text), line: first.line, column: first.column }));
    }
    this.tensors.set(name, span);
  }

  /** A value that must be a tensor name: a bare name. */
  private tensorRef(v: ValueNode, owner: string): Ref | null {
    if (v.kind === 'call' && v.args === null) return { text: v.name.text, span: v.name.span };
    this.diagnostics.push(diag('NN2022', v.span, { owner, found: v.kind === 'call' ? 'a call' : `a ${v.kind}` }));
    return null;
  }

  private undefinedName(ref: Ref, scope: Scope, owner: string): void {
    const known = [...scope.names.keys()];
    this.diagnostics.push(diag('NN2008', ref.span, { kind: 'tensor', name: q(ref.text) }, {
      suggestions: suggest(ref.text, known),
      ...(suggest(ref.text, known).length ? {} : { help: known.length ? `${owner} can take ${known.slice(0, 5).map(q).join(', ')}` : 'declare an `input` first' }),
    }));
  }

  /** Resolves written tensor names in a scope; a model-level name bound once further down becomes a forward reference. */
  private resolve(refs: Ref[], scope: Scope, owner: string, target: string[]): void {
    for (const r of refs) {
      const name = scope.names.get(r.text);
      if (name !== undefined) target.push(name);
      else if (scope.model && this.bindings.get(r.text) === 1) {
        target.push(FORWARD + r.text);
        this.forward.push({ list: target, at: target.length - 1, ref: r, owner });
      } else {
        this.undefinedName(r, scope, owner);
        target.push(FORWARD + r.text);
      }
    }
  }

  /** One layer statement: a layer (repeated `* n` times) or a block's expansion. Returns the tensor it leaves. */
  private statement(stmt: LayerNode, scope: Scope, prev: string | null, params: Map<string, ValueNode> | null, using: string[]): string | null {
    const type = stmt.type.text;
    const repeat = this.repeatCount(stmt);
    const block = layerModule(type) ? undefined : this.blocks.get(type);
    const module = layerModule(type);
    if (!module && !block) {
      const unavailable = unavailableLayers[type];
      if (unavailable) this.diagnostics.push(diag('NN2040', stmt.type.span, { found: q(type), missing: unavailable.missing }, { help: unavailable.help }));
      else this.diagnostics.push(diag('NN2001', stmt.type.span, { found: q(type) }, { suggestions: suggest(type, [...layerTypes, ...this.blocks.keys()]) }));
      return prev;
    }
    const owner = `${block ? 'block' : 'layer'} ${q(type)}`;
    // Merge layers take their tensors as positional arguments: `add(y, x)`.
    const args = stmt.args.map((a) => (params ? { ...a, value: substitute(a.value, params) } : a));
    const tensorArgs = module?.merge ? stmt.args.filter((a) => !a.key) : [];
    const configArgs = module?.merge ? args.filter((a) => a.key) : args;
    const call = this.callTensors(stmt, block ? undefined : module, owner);
    const written = [...tensorArgs.map((a) => this.tensorRef(a.value, owner)).filter((r): r is Ref => r !== null), ...call.inputs];
    const initialState: string[] = [];
    if (call.states.length) this.resolve(call.states, scope, owner, initialState);
    let current: string[] = [];
    if (written.length) this.resolve(written, scope, owner, current);
    else if (prev !== null) current = [prev];
    else {
      // A layer above every `input` line takes the first input, as in a chain.
      current = [FORWARD];
      this.forward.push({ list: current, at: 0, ref: { text: FORWARD, span: stmt.type.span }, owner });
    }

    let last: string | null = prev;
    for (let r = 0; r < repeat; r++) {
      if (r > 0) current = [last!];
      last = block
        ? this.expand(block, stmt, configArgs, current, using)
        : this.layer(stmt, module!.type, configArgs, current, scope, repeat, initialState);
      if (last === null) return prev;
    }
    if (stmt.binding && stmt.binding.text !== DISCARD && last !== null) scope.names.set(stmt.binding.text, last);
    return last;
  }

  /**
   * The tensors written in a layer's call, `(x)` or `(q, v, key: k)` or `(x, initial_state: [h, c])`: its inputs in
   * the order of the module's `callInputs` (by position, then by keyword), and the initial states apart.
   */
  private callTensors(stmt: LayerNode, module: LayerModule | undefined, owner: string): { inputs: Ref[]; states: Ref[] } {
    const slots: (Ref | null)[] = [];
    const states: Ref[] = [];
    const names = module?.callInputs ?? [];
    const keys = [...names, ...(module?.stateInput ? [module.stateInput] : [])];
    let next = 0;
    for (const a of stmt.inputs ?? []) {
      const key = a.key?.text;
      if (key === undefined) {
        const ref = this.tensorRef(a.value, owner);
        if (ref) slots[next] = ref;
        next++;
      } else if (key === module?.stateInput) {
        const items = a.value.kind === 'list' ? a.value.items : [a.value];
        this.values.spans.set(`${this.ptr}/layers/${this.layers.length}/initial_state`, { value: a.value.span, key: a.key!.span });
        items.forEach((v, k) => {
          const ref = this.tensorRef(v, owner);
          if (!ref) return;
          this.values.spans.set(`${this.ptr}/layers/${this.layers.length}/initial_state/${k}`, { value: ref.span });
          states.push(ref);
        });
      } else if (names.includes(key)) {
        const at = names.indexOf(key);
        if (slots[at] !== undefined) this.diagnostics.push(diag('NN2010', a.key!.span, { name: q(key) }));
        const ref = this.tensorRef(a.value, owner);
        if (ref) slots[at] = ref;
      } else {
        const suggestions = suggest(key, keys);
        this.diagnostics.push(diag('NN2036', a.key!.span, { found: q(key), owner }, {
          suggestions,
          ...(suggestions.length ? {} : { help: keys.length ? `its call takes ${keys.map(q).join(', ')}` : `it takes its tensors by position: \`${stmt.type.text}(...)(x)\`` }),
        }));
      }
    }
    const gap = slots.findIndex((r) => r === undefined);
    const last = slots.length - 1;
    if (gap >= 0 && gap < last && slots[last]) {
      const example = names.slice(0, last + 1).map((n, i) => (i === 0 ? n[0] : `${n}: ${n[0]}`)).join(', ');
      this.diagnostics.push(diag('NN2037', slots[last]!.span, { what: q(names[gap] ?? `input ${gap + 1}`), owner, given: q(names[last] ?? `input ${last + 1}`), example }));
      return { inputs: [], states };
    }
    return { inputs: slots.filter((r): r is Ref => !!r), states };
  }

  private repeatCount(stmt: LayerNode): number {
    if (!stmt.repeat) return 1;
    const n = stmt.repeat.value;
    if (Number.isInteger(n) && n >= 1 && n <= MAX_REPEAT && !stmt.repeat.percent) return n;
    this.diagnostics.push(diag('NN2020', stmt.repeat.span, { found: q(stmt.repeat.text), max: MAX_REPEAT.toLocaleString('en-US') }));
    return 1;
  }


  private layer(stmt: LayerNode, type: string, argNodes: ArgNode[], inputs: string[], scope: Scope, repeat: number, initialState: string[]): string {
    const { values } = this;
    const l = this.layers.length;
    const lp = `${this.ptr}/layers/${l}`;
    values.spans.set(lp, { value: stmt.span, key: stmt.type.span });
    values.spans.set(`${lp}/type`, { value: stmt.type.span });
    const args = values.args(argNodes, lp, layerPositional[type], `layer ${q(type)}`, callType);
    if ('inputs' in args) {
      // The tensors a layer takes are written after its call, so that they resolve as names.
      this.diagnostics.push(diag('NN2002', values.spans.keyAt(`${lp}/inputs`), { found: q('inputs'), owner: `layer ${q(type)}` }, {
        help: `write the tensors it takes after the call, e.g. \`${type}(...)(x)\``,
      }));
      delete args.inputs;
    }
    for (const key of ['initial_state', 'state_outputs']) {
      if (!(key in args)) continue;
      // tensors, not settings: they go in the call, or before the `=`
      this.diagnostics.push(diag('NN2002', values.spans.keyAt(`${lp}/${key}`), { found: q(key), owner: `layer ${q(type)}` }, {
        help: key === 'initial_state' ? `pass the states in the call, e.g. \`${type}(...)(x, initial_state: [h, c])\``
          : `name the states before the \`=\`, e.g. \`out, h, c = ${type}(..., return_state: true)\``,
      }));
      delete args[key];
    }
    for (const key of Object.keys(args)) if (pairArguments[type].has(key) && typeof args[key] === 'number') args[key] = [args[key], args[key]];
    const n = (this.counts.get(type) ?? 0) + 1;
    this.counts.set(type, n);
    const binding = stmt.binding?.text;
    const own = (b: string | undefined) => b !== undefined && b !== DISCARD && scope.model && repeat === 1 && this.bindings.get(b) === 1 && !this.tensors.has(b);
    const named = typeof args.name === 'string' ? args.name : own(binding) ? binding! : `${type}_${n}`;
    // a layer named by its binding (`y = dense(3)`): its name is written there
    if (stmt.binding && named === binding && typeof args.name !== 'string') values.spans.set(`${lp}/name`, { value: stmt.binding.span });
    if (this.inputs.some((i) => i.name === named)) this.define(named, values.spans.valueAt(`${lp}/name`) ?? stmt.span);
    else this.tensors.set(named, stmt.span);
    const states = this.stateOutputs(stmt, type, args, named, own, scope);
    if (states.length) args.state_outputs = states;
    this.layers.push({ type, args: args as JsonObject, inputs, initialState });
    this.layerNames.push(named);
    if (!scope.names.has(named)) scope.names.set(named, named);
    return named;
  }

  /**
   * The names of the states a layer gives after its output (`out, h, c = lstm(8, return_state: true)`): the ones
   * written, else `<layer>_h`, `<layer>_c`. Written names must match what the layer gives, one for one.
   */
  private stateOutputs(stmt: LayerNode, type: string, args: JsonObject, named: string, own: (b: string | undefined) => boolean, scope: Scope): string[] {
    const kinds = layerModule(type)?.stateOutputs?.(args) ?? [];
    const written = stmt.stateBindings;
    if (written.length && written.length !== kinds.length) {
      const gives = kinds.length ? `${kinds.length + 1} tensors (output, ${kinds.join(', ')})` : 'one tensor';
      const help = kinds.length ? `name its output and each state: \`out, ${kinds.join(', ')} = ${type}(...)\``
        : layerModule(type)?.stateOutputs ? returnStateHelp(type, args)
          : 'only a recurrent layer with `return_state: true` gives several tensors';
      this.diagnostics.push(diag('NN2035', written[0].span, { layer: `layer ${q(type)}`, expected: gives, found: written.length + 1 }, { help }));
    }
    return kinds.map((kind, k) => {
      const b = written.length === kinds.length ? written[k].text : undefined;
      const name = own(b) ? b! : `${named}_${kind}`;
      if (this.tensors.has(name)) this.define(name, written[k]?.span ?? stmt.span);
      else this.tensors.set(name, written[k]?.span ?? stmt.span);
      if (b !== undefined && b !== DISCARD) scope.names.set(b, name);
      else if (!scope.names.has(name)) scope.names.set(name, name);
      return name;
    });
  }

  /** A block used as a layer: its statements, with its parameters and inputs bound, once per use. */
  private expand(block: BlockNode, use: LayerNode, argNodes: ArgNode[], inputs: string[], using: string[]): string | null {
    const name = block.name.text;
    if (using.includes(name)) {
      this.diagnostics.push(diag('NN2021', use.type.span, { block: q(name), chain: [...using, name].join(' -> ') }));
      return null;
    }
    const params = this.blockParams(block, use, argNodes);
    if (!params) return null;
    const via: Via = { block: name, line: use.span.line, column: use.span.column };
    const body = expandedFrom(block.body, via);
    const declared = body.filter((s): s is InputNode => s.kind === 'input');
    const wanted = Math.max(declared.length, 1);
    if (inputs.length !== wanted) {
      this.diagnostics.push(diag('NN2027', use.span, { block: q(name), expected: wanted, found: inputs.length }));
      return null;
    }
    const scope: Scope = { names: new Map(), model: false };
    declared.forEach((d, i) => scope.names.set(d.name.text, inputs[i]));
    let prev: string | null = inputs[0];
    for (const stmt of body) {
      if (stmt.kind === 'input') prev = scope.names.get(stmt.name.text)!;
      else prev = this.statement(stmt, scope, prev, params, [...using, name]);
    }
    return prev;
  }

  /** The value of each parameter at one use; null (reported) when a required one is missing. */
  private blockParams(block: BlockNode, use: LayerNode, argNodes: ArgNode[]): Map<string, ValueNode> | null {
    const owner = `block ${q(block.name.text)}`;
    const names = block.params.map((p) => (p.key ? p.key.text : p.value.kind === 'call' ? p.value.name.text : ''));
    const given = new Map<string, ValueNode>();
    let next = 0;
    for (const a of argNodes) {
      const key: NameNode | null = a.key;
      const name = key ? key.text : names[next++];
      if (name === undefined) {
        this.diagnostics.push(diag('NN2009', a.span, { owner, expected: names.length, found: next }));
      } else if (key && !names.includes(name)) {
        this.diagnostics.push(diag('NN2002', key.span, { found: q(name), owner }, { suggestions: suggest(name, names) }));
      } else if (given.has(name)) {
        this.diagnostics.push(diag('NN2010', (key ?? a).span, { name: q(name) }));
      } else given.set(name, a.value);
    }
    let complete = true;
    block.params.forEach((p, i) => {
      if (given.has(names[i])) return;
      if (p.key) given.set(names[i], p.value);
      else {
        complete = false;
        this.diagnostics.push(diag('NN2006', use.span, { what: q(names[i]), owner }, { help: `add \`${names[i]}: ...\`` }));
      }
    });
    return complete ? given : null;
  }
}


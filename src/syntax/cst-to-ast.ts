// CST -> AST. Chevrotain's recovery can leave nodes without some tokens; such nodes are dropped here
// (their syntax error is already reported), so later phases see only complete nodes.
import type { CstNode, IToken } from 'chevrotain';
import { diag, q } from '../diagnostics/catalog.js';
import type { Diagnostic, Span } from '../diagnostics/types.js';
import type * as A from './ast.js';
import * as T from '../../grammar/tokens.js';

type Children = Record<string, (CstNode | IToken)[] | undefined>;

export function tokenSpan(file: string, first: IToken, last: IToken = first): Span {
  return {
    file,
    line: first.startLine ?? 1,
    column: first.startColumn ?? 1,
    endLine: last.endLine ?? first.startLine ?? 1,
    endColumn: (last.endColumn ?? first.startColumn ?? 0) + 1,
    offset: first.startOffset,
    endOffset: (last.endOffset ?? first.startOffset) + 1,
  };
}

function joinSpans(a: Span, b: Span): Span {
  return { ...a, endLine: b.endLine, endColumn: b.endColumn, endOffset: b.endOffset };
}

const isToken = (x: CstNode | IToken): x is IToken => 'image' in x;

class Incomplete extends Error {}

const simpleEscapes: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', "'": "'", b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/**
 * The value of a string token (quotes included). Raw tabs and other control characters stay as written; an escape
 * it does not know is kept as written too, and returned so the caller can report it.
 */
export function decodeString(image: string): { value: string; badEscape: { index: number; text: string } | null } {
  const body = image.slice(1, -1);
  let value = '';
  let badEscape: { index: number; text: string } | null = null;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      value += c;
      continue;
    }
    const next = body[i + 1] ?? '';
    if (Object.hasOwn(simpleEscapes, next)) {
      value += simpleEscapes[next];
      i++;
    } else if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(body.slice(i + 2, i + 6))) {
      value += String.fromCharCode(parseInt(body.slice(i + 2, i + 6), 16));
      i += 5;
    } else {
      badEscape ??= { index: i + 1, text: body.slice(i, i + (next === 'u' ? 6 : 2)) };
      value += c;
    }
  }
  return { value, badEscape };
}

export class AstBuilder {
  /** Problems found while building (invalid escapes); syntax errors come from the parser. */
  readonly diagnostics: Diagnostic[] = [];

  constructor(private readonly path: string) {}

  private tok(c: Children, key: string, index = 0): IToken {
    const t = c[key]?.[index];
    if (!t || !isToken(t) || isNaN(t.startOffset) || t.isInsertedInRecovery) throw new Incomplete();
    return t;
  }

  private optTok(c: Children, key: string): IToken | null {
    const t = c[key]?.[0];
    return t && isToken(t) && !t.isInsertedInRecovery && !isNaN(t.startOffset) ? t : null;
  }

  private nodes(c: Children, key: string): CstNode[] {
    return (c[key] ?? []).filter((x): x is CstNode => !isToken(x));
  }

  private node(c: Children, key: string): CstNode {
    const n = this.nodes(c, key)[0];
    if (!n) throw new Incomplete();
    return n;
  }

  private name(t: IToken): A.NameNode {
    return { kind: 'name', text: t.image, span: tokenSpan(this.path, t) };
  }

  /** Span from the first to the last token under a CST node. */
  private spanOf(n: CstNode): Span {
    const first = this.edgeToken(n, false);
    const last = this.edgeToken(n, true);
    if (!first || !last) throw new Incomplete();
    return tokenSpan(this.path, first, last);
  }

  /**
   * The first (or last) real token under a node. Each child list is in source order, so only its ends are looked
   * at: a list value of 100,000 items is not walked once per enclosing node.
   */
  private edgeToken(n: CstNode, last: boolean): IToken | null {
    let best: IToken | null = null;
    const children = n.children;
    for (const key in children) {
      const list = children[key];
      for (let k = 0; k < list.length; k++) {
        const item = list[last ? list.length - 1 - k : k];
        const t = isToken(item) ? (item.isInsertedInRecovery || isNaN(item.startOffset) ? null : item) : this.edgeToken(item, last);
        if (!t) continue;
        if (!best || (last ? t.startOffset > best.startOffset : t.startOffset < best.startOffset)) best = t;
        break;
      }
    }
    return best;
  }

  /** Builds what it can: a top-level item or statement broken by a syntax error is skipped. */
  private each<R>(nodes: CstNode[], build: (n: CstNode) => R): R[] {
    const out: R[] = [];
    for (const n of nodes) {
      try {
        out.push(build(n));
      } catch (e) {
        if (!(e instanceof Incomplete)) throw e;
      }
    }
    return out;
  }

  file(cst: CstNode, path: string, length: number): A.FileNode {
    const c = cst.children as Children;
    const all = [
      ...this.each(this.nodes(c, 'importDecl'), (n) => this.importDecl(n)),
      ...this.each(this.nodes(c, 'modelDecl'), (n) => this.modelDecl(n)),
      ...this.each(this.nodes(c, 'blockDecl'), (n) => this.blockDecl(n)),
      ...this.each(this.nodes(c, 'datasetDecl'), (n) => this.datasetDecl(n)),
      ...this.each(this.nodes(c, 'trainDecl'), (n) => this.trainDecl(n)),
    ].sort((a, b) => a.span.offset - b.span.offset);
    const span: Span = { file: this.path, line: 1, column: 1, endLine: 1, endColumn: 1, offset: 0, endOffset: length };
    return { kind: 'file', path, items: all, span };
  }

  private importDecl(n: CstNode): A.ImportNode {
    const c = n.children as Children;
    const str = this.tok(c, 'StringLiteral');
    return { kind: 'import', path: this.stringNode(str), span: this.spanOf(n) };
  }

  private modelDecl(n: CstNode): A.ModelNode {
    const c = n.children as Children;
    const stmts: { offset: number; stmt: A.ModelStmt }[] = [];
    const builders: [string, (x: CstNode) => A.ModelStmt][] = [
      ['inputStmt', (x) => this.inputStmt(x)],
      ['property', (x) => this.property(x)],
      ['layerStmt', (x) => this.layerStmt(x)],
    ];
    for (const [key, build] of builders) {
      for (const stmt of this.each(this.nodes(c, key), build)) stmts.push({ offset: stmt.span.offset, stmt });
    }
    stmts.sort((a, b) => a.offset - b.offset);
    return { kind: 'model', name: this.name(this.tok(c, 'Identifier')), body: stmts.map((s) => s.stmt), span: this.spanOf(n) };
  }

  private blockDecl(n: CstNode): A.BlockNode {
    const c = n.children as Children;
    const stmts: (A.InputNode | A.LayerNode)[] = [
      ...this.each(this.nodes(c, 'inputStmt'), (x) => this.inputStmt(x)),
      ...this.each(this.nodes(c, 'layerStmt'), (x) => this.layerStmt(x)),
    ].sort((a, b) => a.span.offset - b.span.offset);
    const params = this.nodes(c, 'argList')[0];
    return { kind: 'block', name: this.name(this.tok(c, 'Identifier')), params: params ? this.args(params) : [], body: stmts, span: this.spanOf(n) };
  }

  private inputStmt(n: CstNode): A.InputNode {
    const c = n.children as Children;
    const dtype = this.optTok(c, 'dtype');
    const shape = this.nodes(c, 'value')[0];
    return {
      kind: 'input',
      name: this.name(this.tok(c, 'Identifier')),
      shape: shape ? this.value(shape) : null,
      dtype: dtype ? this.name(dtype) : null,
      span: this.spanOf(n),
    };
  }

  private layerStmt(n: CstNode): A.LayerNode {
    const c = n.children as Children;
    const argList = this.nodes(c, 'argList')[0];
    const inputList = this.nodes(c, 'inputList')[0];
    const binding = this.optTok(c, 'binding');
    const repeat = this.optTok(c, 'repeat');
    return {
      kind: 'layer',
      binding: binding ? this.name(binding) : null,
      stateBindings: (c.stateBinding ?? []).map((t) => this.name(t as IToken)),
      type: this.name(this.tok(c, 'Identifier')),
      args: argList ? this.args(argList) : [],
      inputs: inputList ? this.args(inputList) : null,
      repeat: repeat ? { kind: 'number', value: parseFloat(repeat.image), text: repeat.image, percent: repeat.image.endsWith('%'), span: tokenSpan(this.path, repeat) } : null,
      span: this.spanOf(n),
    };
  }

  private datasetDecl(n: CstNode): A.DatasetNode {
    const c = n.children as Children;
    const argList = this.nodes(c, 'argList')[0];
    const block = this.nodes(c, 'block')[0];
    return {
      kind: 'dataset',
      name: this.name(this.tok(c, 'name')),
      source: this.name(this.tok(c, 'source')),
      args: argList ? this.args(argList) : [],
      props: block ? this.blockProps(block) : [],
      span: this.spanOf(n),
    };
  }

  private trainDecl(n: CstNode): A.TrainNode {
    const c = n.children as Children;
    const alias = this.optTok(c, 'alias');
    return {
      kind: 'train',
      model: this.name(this.tok(c, 'model')),
      dataset: this.name(this.tok(c, 'dataset')),
      alias: alias ? this.name(alias) : null,
      props: this.blockProps(this.node(c, 'block')),
      span: this.spanOf(n),
    };
  }

  private blockProps(n: CstNode): A.PropertyNode[] {
    return this.each(this.nodes(n.children as Children, 'property'), (p) => this.property(p));
  }

  private property(n: CstNode): A.PropertyNode {
    const c = n.children as Children;
    const quoted = this.optTok(c, 'quotedKey');
    const key = quoted ? { kind: 'name' as const, text: this.stringNode(quoted).value, span: tokenSpan(this.path, quoted) } : this.name(this.tok(c, 'Identifier'));
    return { kind: 'property', key, value: this.value(this.node(c, 'value')), span: this.spanOf(n) };
  }

  private args(n: CstNode): A.ArgNode[] {
    return this.each(this.nodes(n.children as Children, 'arg'), (a) => {
      const c = a.children as Children;
      const key = this.optTok(c, 'key');
      return { kind: 'arg', key: key ? this.name(key) : null, value: this.value(this.node(c, 'value')), span: this.spanOf(a) } as A.ArgNode;
    });
  }

  private stringNode(t: IToken): A.StringNode {
    const { value, badEscape } = decodeString(t.image);
    if (badEscape) {
      // Strings are one line, so the escape's column is the token's plus its index.
      const offset = t.startOffset + badEscape.index;
      const column = (t.startColumn ?? 1) + badEscape.index;
      const line = t.startLine ?? 1;
      const span = { file: this.path, line, column, endLine: line, endColumn: column + badEscape.text.length, offset, endOffset: offset + badEscape.text.length };
      this.diagnostics.push(diag('NN1012', span, { found: q(badEscape.text) }));
    }
    return { kind: 'string', value, span: tokenSpan(this.path, t) };
  }

  private value(n: CstNode): A.ValueNode {
    const c = n.children as Children;
    const str = this.optTok(c, 'StringLiteral');
    if (str) return this.stringNode(str);
    // Leaves take their span from their own tokens: a list of 100,000 numbers should not walk the CST for each.
    const word = this.optTok(c, 'True') ?? this.optTok(c, 'False') ?? this.optTok(c, 'Null');
    if (word) {
      const span = tokenSpan(this.path, word);
      return word.tokenType === T.Null ? { kind: 'null', span } : { kind: 'bool', value: word.tokenType === T.True, span };
    }
    const num = this.nodes(c, 'numberValue')[0];
    if (num) {
      const nc = num.children as Children;
      const numerator = this.tok(nc, 'numerator');
      return this.numberValue(num, tokenSpan(this.path, this.optTok(nc, 'Minus') ?? numerator, this.optTok(nc, 'denominator') ?? numerator));
    }
    const span = this.spanOf(n);
    const list = this.nodes(c, 'list')[0];
    if (list) return { kind: 'list', items: this.nodes(list.children as Children, 'value').map((v) => this.value(v)), span };
    const block = this.nodes(c, 'block')[0];
    if (block) return { kind: 'object', props: this.blockProps(block), span };
    const call = this.node(c, 'call');
    const cc = call.children as Children;
    const argList = this.nodes(cc, 'argList')[0];
    return { kind: 'call', name: this.name(this.tok(cc, 'Identifier')), args: argList ? this.args(argList) : null, span };
  }

  private numberValue(n: CstNode, span: Span): A.NumberNode {
    const c = n.children as Children;
    const neg = this.optTok(c, 'Minus') ? -1 : 1;
    const parse = (t: IToken) => ({ value: parseFloat(t.image), percent: t.image.endsWith('%') });
    const numTok = this.tok(c, 'numerator');
    const num = parse(numTok);
    const denTok = this.optTok(c, 'denominator');
    let value = neg * num.value;
    let percent = num.percent;
    if (denTok) {
      const den = parse(denTok);
      value = value / den.value;
      percent = percent || den.percent;
    }
    const text = (neg < 0 ? '-' : '') + numTok.image + (denTok ? '/' + denTok.image : '');
    return { kind: 'number', value, text, percent, span };
  }
}

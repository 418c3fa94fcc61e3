// Typed AST of a .nn file. Every node carries the span of the source text it came from.
import type { Span } from '../diagnostics/types.js';

export interface NameNode { kind: 'name'; text: string; span: Span }

export type ValueNode = NumberNode | StringNode | BoolNode | NullNode | ListNode | ObjectNode | CallNode;
export interface NumberNode { kind: 'number'; value: number; text: string; percent: boolean; span: Span }
export interface StringNode { kind: 'string'; value: string; span: Span }
export interface BoolNode { kind: 'bool'; value: boolean; span: Span }
export interface NullNode { kind: 'null'; span: Span }
export interface ListNode { kind: 'list'; items: ValueNode[]; span: Span }
export interface ObjectNode { kind: 'object'; props: PropertyNode[]; span: Span }
/** `relu` (args null) or `adam(learning_rate: 0.001)`. */
export interface CallNode { kind: 'call'; name: NameNode; args: ArgNode[] | null; span: Span }

export interface PropertyNode { kind: 'property'; key: NameNode; value: ValueNode; span: Span }
export interface ArgNode { kind: 'arg'; key: NameNode | null; value: ValueNode; span: Span }

/** `input x: [28, 28]`; in a block, `input x` (shape null: the block takes the shape it is given). */
export interface InputNode { kind: 'input'; name: NameNode; shape: ValueNode | null; dtype: NameNode | null; span: Span }
/**
 * `y = conv2d(64, 3)(x) * 2`: `binding` names the output, `inputs` the tensors taken (null: the previous line's),
 * `repeat` how many times a block is applied in a row (null: once). `out, h, c = lstm(...)`: `binding` is `out`,
 * `stateBindings` name the states a recurrent layer with `return_state` gives (empty for one name).
 */
export interface LayerNode {
  kind: 'layer'; binding: NameNode | null; stateBindings: NameNode[]; type: NameNode; args: ArgNode[]; inputs: ArgNode[] | null; repeat: NumberNode | null; span: Span;
}
export type ModelStmt = InputNode | PropertyNode | LayerNode;

export interface ImportNode { kind: 'import'; path: StringNode; span: Span }
export interface ModelNode { kind: 'model'; name: NameNode; body: ModelStmt[]; span: Span }
/** `block residual(filters, kernel: 3) { input x ... }`: params are the args (a bare name: no default). */
export interface BlockNode { kind: 'block'; name: NameNode; params: ArgNode[]; body: (InputNode | LayerNode)[]; span: Span }
export interface DatasetNode { kind: 'dataset'; name: NameNode; source: NameNode; args: ArgNode[]; props: PropertyNode[]; span: Span }
export interface TrainNode { kind: 'train'; model: NameNode; dataset: NameNode; alias: NameNode | null; props: PropertyNode[]; span: Span }
export type TopLevel = ImportNode | ModelNode | BlockNode | DatasetNode | TrainNode;

export interface FileNode { kind: 'file'; path: string; items: TopLevel[]; span: Span }

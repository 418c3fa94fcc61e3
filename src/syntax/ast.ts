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

export interface InputNode { kind: 'input'; name: NameNode; shape: ValueNode; dtype: NameNode | null; span: Span }
export interface LayerNode { kind: 'layer'; type: NameNode; args: ArgNode[]; span: Span }
export type ModelStmt = InputNode | PropertyNode | LayerNode;

export interface ImportNode { kind: 'import'; path: StringNode; span: Span }
export interface ModelNode { kind: 'model'; name: NameNode; body: ModelStmt[]; span: Span }
export interface DatasetNode { kind: 'dataset'; name: NameNode; source: NameNode; args: ArgNode[]; props: PropertyNode[]; span: Span }
export interface TrainNode { kind: 'train'; model: NameNode; dataset: NameNode; alias: NameNode | null; props: PropertyNode[]; span: Span }
export type TopLevel = ImportNode | ModelNode | DatasetNode | TrainNode;

export interface FileNode { kind: 'file'; path: string; items: TopLevel[]; span: Span }

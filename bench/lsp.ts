// `npm run bench:lsp`: the language server's latency as an editor sees it. `nnc lsp` (bin/nnc, as editors start it)
// runs as a child process spoken to over stdio; each figure is the time from sending a message to the answer:
//   - didChange -> publishDiagnostics for that version, edits alternating between a clean spec and one with an
//     error, spaced past the debounce window (so each change is checked at once, as when typing pauses);
//   - inlayHint for the whole file, settled (no check pending) and right after a change (the check included).
// On a 200-layer dense stack, a 50-block conv stack (conv2d/batch_norm/activation x 50) and a 50-block residual spec
// (one `block` used 50 times, expanded before checking). Target: under 50 ms median. Writes bench/results/lsp.json and lsp.md.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  createProtocolConnection, StreamMessageReader, StreamMessageWriter, InitializeRequest, InitializedNotification,
  PublishDiagnosticsNotification, DidOpenTextDocumentNotification, DidChangeTextDocumentNotification, InlayHintRequest,
  ShutdownRequest, ExitNotification, type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import { pathToFileURL } from 'node:url';
import { REPO, RESULTS, WORK, markdownTable, residualSpec, round } from './lib.js';

const EDITS = Number(process.env.NNC_BENCH_LSP_EDITS ?? 40);
const GAP_MS = 130; // past the server's 100 ms debounce window

function denseStack(): string {
  const lines = ['model Stack200 {', '  input image: [28, 28]', '  flatten'];
  for (let i = 0; i < 66; i++) lines.push('  dense(256, activation: relu)', '  batch_norm', '  dropout(0.1)');
  lines.push('  dense(10, activation: softmax)', '}', '', 'dataset fashion = fashion_mnist { normalize: scale(1/255) }', '',
    'train Stack200 on fashion { loss: sparse_categorical_crossentropy }', '');
  return lines.join('\n');
}

function convBlocks(): string {
  const lines = ['model Blocks50 {', '  input image: [32, 32, 3]'];
  for (let i = 0; i < 50; i++) lines.push('  conv2d(32, kernel: 3, padding: same, use_bias: false)', '  batch_norm', '  activation(relu)');
  lines.push('  global_avg_pool2d', '  dropout(0.1)', '  dense(10, activation: softmax)', '}', '');
  return lines.join('\n');
}

const stats = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))];
  return { runs: s.length, medianMs: round(at(0.5), 2), p95Ms: round(at(0.95), 2), maxMs: round(s[s.length - 1], 2) };
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function measure(name: string, text: string, broken: string) {
  const file = path.join(WORK, 'lsp', `${name}.nn`);
  writeFileSync(file, text);
  const uri = pathToFileURL(file).href;
  const child = spawn(path.join(REPO, 'bin', 'nnc'), ['lsp'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const waiting = new Map<number, (p: PublishDiagnosticsParams) => void>();
  conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
    if (p.uri === uri && p.version !== undefined) waiting.get(p.version)?.(p);
  });
  conn.listen();
  await conn.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, workspaceFolders: null, capabilities: {} });
  await conn.sendNotification(InitializedNotification.type, {});
  const published = (version: number) => new Promise<PublishDiagnosticsParams>((resolve) => waiting.set(version, resolve));
  let version = 1;
  let wait = published(version);
  await conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'nn', version, text } });
  await wait;
  const lines = text.split('\n').length;
  const fullRange = { start: { line: 0, character: 0 }, end: { line: lines, character: 0 } };
  const change = async (t: string) => {
    version++;
    const w = published(version);
    const t0 = performance.now();
    await conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ text: t }] });
    const p = await w;
    return { ms: performance.now() - t0, count: p.diagnostics.length };
  };
  // Warm-up: the first checks compile the code paths.
  for (let i = 0; i < 6; i++) await change(i % 2 ? text : broken);
  const toDiagnostics: number[] = [];
  for (let i = 0; i < EDITS; i++) {
    await sleep(GAP_MS);
    const r = await change(i % 2 ? text : broken);
    if ((r.count > 0) !== (i % 2 === 0)) throw new Error(`${name}: edit ${i} published ${r.count} diagnostics`);
    toDiagnostics.push(r.ms);
  }
  if ((await change(text)).count !== 0) throw new Error(`${name}: the clean spec has diagnostics`);
  const settled: number[] = [];
  let hintCount = 0;
  for (let i = 0; i < EDITS; i++) {
    const t0 = performance.now();
    const hints = await conn.sendRequest(InlayHintRequest.type, { textDocument: { uri }, range: fullRange });
    settled.push(performance.now() - t0);
    hintCount = hints?.length ?? 0;
  }
  const afterChange: number[] = [];
  for (let i = 0; i < EDITS; i++) {
    await sleep(GAP_MS);
    version++;
    const t0 = performance.now();
    await conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ text: text + ' '.repeat(i % 2) }] });
    await conn.sendRequest(InlayHintRequest.type, { textDocument: { uri }, range: fullRange });
    afterChange.push(performance.now() - t0);
  }
  await conn.sendRequest(ShutdownRequest.type);
  await conn.sendNotification(ExitNotification.type);
  conn.dispose();
  return { spec: name, lines, hints: hintCount, didChangeToDiagnostics: stats(toDiagnostics), inlayHintsSettled: stats(settled), inlayHintsAfterChange: stats(afterChange) };
}

async function main() {
  mkdirSync(path.join(WORK, 'lsp'), { recursive: true });
  const dense = denseStack();
  const conv = convBlocks();
  const residual = residualSpec(50);
  const results = [
    await measure('stack200', dense, dense.replace('dropout(0.1)', 'dropout(1.5)')),
    await measure('blocks50', conv, conv.replace('kernel: 3,', 'kernel: 3, actvation: relu,')),
    await measure('residual50', residual, residual.replace('padding: same)', 'padding: valid)')),
  ];
  const meta = { date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, loadavg: os.loadavg().map((l) => round(l, 2)), edits: EDITS };
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(path.join(RESULTS, 'lsp.json'), JSON.stringify({ meta, results }, null, 2) + '\n');
  const rows = results.flatMap((r) => [
    [r.spec, 'didChange -> publishDiagnostics', r.didChangeToDiagnostics.medianMs, r.didChangeToDiagnostics.p95Ms, r.didChangeToDiagnostics.runs],
    [r.spec, `inlayHint, whole file (${r.hints} hints), settled`, r.inlayHintsSettled.medianMs, r.inlayHintsSettled.p95Ms, r.inlayHintsSettled.runs],
    [r.spec, 'didChange + inlayHint, whole file', r.inlayHintsAfterChange.medianMs, r.inlayHintsAfterChange.p95Ms, r.inlayHintsAfterChange.runs],
  ]);
  const md = [
    '# nnc lsp latency', '',
    `${meta.date}, Node ${meta.node}, ${meta.cpus} CPUs, load ${meta.loadavg.join(' / ')}; \`nnc lsp\` over stdio, ${EDITS} timed requests each. Target: under 50 ms median.`, '',
    markdownTable(['spec', 'what', 'median ms', 'p95 ms', 'runs'], rows), '',
  ].join('\n');
  writeFileSync(path.join(RESULTS, 'lsp.md'), md);
  console.log(md);
}

main().catch((e) => {
  console.error(`error: ${e.message}`);
  process.exit(1);
});

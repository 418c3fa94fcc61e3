// The VS Code extension package: its manifest points at files that exist and agree with each other, and, where
// its dependencies are installed (.ci/run installs them), @vscode/vsce packages it into a .vsix holding them.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ext = path.resolve(__dirname, '..', '..', 'editors', 'vscode');
const manifest = JSON.parse(readFileSync(path.join(ext, 'package.json'), 'utf8'));

describe('editors/vscode', () => {
  it('declares the nn language, its configuration and grammar, and a client that runs `nnc lsp`', () => {
    const [language] = manifest.contributes.languages;
    expect(language).toMatchObject({ id: 'nn', extensions: ['.nn'] });
    const config = JSON.parse(readFileSync(path.join(ext, language.configuration), 'utf8'));
    expect(config.comments.lineComment).toBe('#');
    expect(config.brackets).toEqual([['{', '}'], ['[', ']'], ['(', ')']]);
    const [grammar] = manifest.contributes.grammars;
    expect(grammar.language).toBe('nn');
    const tm = JSON.parse(readFileSync(path.join(ext, grammar.path), 'utf8'));
    expect(tm.scopeName).toBe(grammar.scopeName);
    expect(manifest.activationEvents).toContain('onLanguage:nn');
    const client = readFileSync(path.join(ext, manifest.main), 'utf8');
    expect(client).toContain("require('vscode-languageclient/node')");
    expect(client).toMatch(/args: \['lsp'\]/);
    expect(Object.keys(manifest.dependencies)).toEqual(['vscode-languageclient']);
    expect(manifest.devDependencies['@vscode/vsce']).toBeDefined();
  });

  it.skipIf(!existsSync(path.join(ext, 'node_modules', '.bin', 'vsce')))('packages into a .vsix with @vscode/vsce', () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'nnc-vsix-')), 'nnc.vsix');
    const r = spawnSync(path.join(ext, 'node_modules', '.bin', 'vsce'), ['package', '--out', out], { cwd: ext, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    const list = spawnSync('unzip', ['-l', out], { encoding: 'utf8' }).stdout;
    for (const f of ['extension/extension.js', 'extension/syntaxes/nn.tmLanguage.json', 'extension/language-configuration.json', 'extension/node_modules/vscode-languageclient/package.json']) {
      expect(list).toContain(f);
    }
  });
});

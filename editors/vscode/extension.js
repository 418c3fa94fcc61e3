// The nnc extension: starts `nnc lsp` for .nn files and connects VS Code's language client to it. Highlighting comes
// from syntaxes/nn.tmLanguage.json; everything else (diagnostics, inlay shapes, hover, completion, rename,
// formatting) from the server.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

/** The nnc command: the `nnc.path` setting, else the workspace's own node_modules/.bin/nnc, else `nnc` on PATH. */
function serverCommand() {
  const configured = vscode.workspace.getConfiguration('nnc').get('path');
  if (configured) return configured;
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const local = path.join(folder.uri.fsPath, 'node_modules', '.bin', 'nnc');
    if (fs.existsSync(local)) return local;
  }
  return 'nnc';
}

async function activate(context) {
  const command = serverCommand();
  const serverOptions = { command, args: ['lsp'], transport: TransportKind.stdio };
  const clientOptions = {
    documentSelector: [{ scheme: 'file', language: 'nn' }],
    // A spec saved outside the editor re-checks the open specs that import it.
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.nn') },
  };
  client = new LanguageClient('nnc', 'nnc language server', serverOptions, clientOptions);
  context.subscriptions.push(client);
  try {
    await client.start();
  } catch (e) {
    vscode.window.showErrorMessage(`nnc: cannot start \`${command} lsp\` (${e.message}); set nnc.path to the nnc command`);
  }
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };

// The trainer's browser page served and opened for the page tests: `npx tsx serve.ts` on a free port of 127.0.0.1,
// then headless Chromium (Debian's `chromium`, driven by playwright-core) once the page has loaded its model.
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { REPO } from './helpers.js';

export const CHROMIUM = process.env.NNC_CHROMIUM ?? '/usr/bin/chromium';
/** Where the page tests keep their screenshots. */
export const OUTPUT = path.join(REPO, 'tmp', 'browser');

/** Starts `npx tsx serve.ts` and resolves with the URL it prints. */
function serve(cwd: string, modelDir: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'serve.ts', '--model', modelDir, '--port', '0'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`serve.ts printed no URL in 120 s:\n${output}`)), 120_000);
    const onData = (data: Buffer) => {
      output += data.toString();
      const url = output.match(/on (http:\/\/127\.0\.0\.1:\d+\/)/)?.[1];
      if (url) { clearTimeout(timer); resolve({ child, url }); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`serve.ts exited with ${code}:\n${output}`)); });
  });
}

export interface OpenPage { server: { child: ChildProcess; url: string }; tab: import('playwright-core').Page; errors: string[]; close(): Promise<void> }

/** Serves the trainer's page and opens it in headless Chromium, once the model is loaded. */
export async function openPage(trainerDir: string, modelDir: string, viewport: { width: number; height: number }): Promise<OpenPage> {
  const server = await serve(trainerDir, modelDir);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  const tab = await browser.newPage({ viewport });
  const errors: string[] = [];
  tab.on('pageerror', (e) => errors.push(e.message));
  await tab.goto(server.url);
  await tab.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  return { server, tab, errors, close: async () => { await browser.close(); server.child.kill(); } };
}

// Strings from a spec or a data file (names, labels, paths) shown on a terminal: control characters are escaped,
// so an ESC sequence in a class name cannot retitle the terminal, move the cursor or fake CI output, and bidi
// overrides cannot reorder a line. Shared by the compiler's diagnostics and the generated trainers.

// C0 controls but tab and newline, DEL, C1 controls, line/paragraph separators, bidi embeddings and isolates.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_OR_LAYOUT = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const escape = (c: string) => {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

/**
 * `text` with control characters written as `\xNN` / `\uNNNN`. `keep` says which layout characters stay:
 * 'lines' keeps tab and newline (multi-line output), 'tabs' keeps tab only (one quoted source line), 'none' none.
 */
export function printable(text: string, keep: 'lines' | 'tabs' | 'none' = 'lines'): string {
  if (keep === 'lines') return text.replace(CONTROL, escape);
  return text.replace(CONTROL_OR_LAYOUT, (c) => (keep === 'tabs' && c === '\t' ? c : escape(c)));
}

// Asks Go's own parser (gofmt, compiled to wasm in @wasm-fmt/gofmt) whether a file is valid Go,
// so that a file tree-sitter cannot parse is not called a syntax error when Go accepts it.
import { format } from '../plan/gofmt.js';

export type GoParserVerdict =
  | { kind: 'accepts' }
  | { kind: 'rejects'; message: string }
  // The wasm gofmt traps on deeply nested input (a chain of ~100 `+` overflows its stack).
  | { kind: 'unknown' };

/**
 * Whether Go's parser accepts the text, with its first error when not. A gofmt trap answers
 * `unknown` (the shared instance in src/plan/gofmt.ts starts afresh after one).
 */
export function goParserVerdict(text: string): GoParserVerdict {
  try {
    format(text.replace(/\r\n/g, '\n'));
    return { kind: 'accepts' };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (message.startsWith('gofmt crashed')) return { kind: 'unknown' };
    return { kind: 'rejects', message: message.split('\n')[0] ?? '' };
  }
}

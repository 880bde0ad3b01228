// Asks Go's own parser (gofmt, compiled to wasm in @wasm-fmt/gofmt) whether a file is valid Go,
// so that a file tree-sitter cannot parse is not called a syntax error when Go accepts it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export type GoParserVerdict =
  | { kind: 'accepts' }
  | { kind: 'rejects'; message: string }
  // The wasm gofmt traps on deeply nested input (a chain of ~100 `+` overflows its stack).
  | { kind: 'unknown' };

interface GofmtExports {
  memory: WebAssembly.Memory;
  _initialize(): void;
  alloc(size: number): number;
  format(): number;
  output_ptr(): number;
  output_len(): number;
  dispose(): void;
}

let wasmModule: WebAssembly.Module | undefined;
let instance: GofmtExports | undefined;

function gofmt(): GofmtExports {
  if (!instance) {
    wasmModule ??= new WebAssembly.Module(readFileSync(createRequire(import.meta.url).resolve('@wasm-fmt/gofmt/gofmt.wasm')));
    instance = new WebAssembly.Instance(wasmModule).exports as unknown as GofmtExports;
    instance._initialize();
  }
  return instance;
}

/**
 * Whether Go's parser accepts the text, with its first error when not. The package's shared
 * `format` instance is not used: after a trap its memory is corrupt and every later call fails,
 * so a trap here drops this module's own instance and answers `unknown`.
 */
export function goParserVerdict(text: string): GoParserVerdict {
  const wasm = gofmt();
  try {
    const bytes = new TextEncoder().encode(text.replace(/\r\n/g, '\n'));
    const ptr = wasm.alloc(bytes.length);
    new Uint8Array(wasm.memory.buffer, ptr, bytes.length).set(bytes);
    const status = wasm.format();
    // 0: already formatted, 1: formatted, anything else: the output is Go's error message.
    if (status === 0 || status === 1) return { kind: 'accepts' };
    const out = new Uint8Array(wasm.memory.buffer, wasm.output_ptr(), wasm.output_len());
    return { kind: 'rejects', message: new TextDecoder().decode(out).split('\n')[0] ?? '' };
  } catch {
    instance = undefined;
    return { kind: 'unknown' };
  } finally {
    try {
      instance?.dispose();
    } catch {
      instance = undefined;
    }
  }
}

// gofmt in process (@wasm-fmt/gofmt) that survives its own crashes. The wasm module traps
// ("memory access out of bounds") on some valid files: deep nesting such as a 100-level
// composite literal, 6 of 3876 files of Go 1.19's tree. A trapped instance fails every later
// call, which would refuse every rewrite after the first such file; so a trap discards the
// instance, the next call starts a fresh one, and only the file that crashed gofmt is refused.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { format as formatWith } from '@wasm-fmt/gofmt/gofmt_binding.js';

const wasmPath = createRequire(import.meta.url).resolve('@wasm-fmt/gofmt/gofmt.wasm');
let module: WebAssembly.Module | undefined;
let live: WebAssembly.Exports | undefined;

function instance(): WebAssembly.Exports {
  if (live) return live;
  module ??= new WebAssembly.Module(readFileSync(wasmPath));
  const exports = new WebAssembly.Instance(module).exports;
  (exports._initialize as () => void)();
  live = exports;
  return exports;
}

/**
 * gofmt's output for a Go file, as `@wasm-fmt/gofmt`'s `format`: throws an Error with gofmt's
 * message when Go's parser rejects the text, and `gofmt crashed (…)` when gofmt itself fails.
 */
export function format(text: string): string {
  const wasm = instance();
  try {
    return formatWith(wasm, text);
  } catch (err) {
    if (err instanceof WebAssembly.RuntimeError) {
      live = undefined;
      throw new Error(`gofmt crashed (${err.message})`);
    }
    throw err;
  }
}

// gofmt in process (@wasm-fmt/gofmt) that survives its own crashes. The wasm module traps
// ("memory access out of bounds") on some valid files: deep nesting such as a 100-level
// composite literal, 6 of 3876 files of Go 1.19's tree. A trapped instance fails every later
// call, which would refuse every rewrite after the first such file; so a trap discards the
// instance, the next call starts a fresh one, and the file that crashed it is handed to the Go
// toolchain's own gofmt (on PATH wherever Go code is built); without one, only that file is refused.
import { spawnSync } from 'node:child_process';
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
 * message when Go's parser rejects the text, and `gofmt crashed (…)` when neither the wasm gofmt
 * nor a gofmt on PATH could check it.
 */
export function format(text: string): string {
  const wasm = instance();
  try {
    return formatWith(wasm, text);
  } catch (err) {
    // A trap, or the JS stack overflowing under the wasm's own recursion (a 50,000-term sum).
    if (err instanceof WebAssembly.RuntimeError || err instanceof RangeError) {
      live = undefined;
      return toolchainFormat(text, err.message);
    }
    throw err;
  }
}

/** The Go toolchain's gofmt over stdin, for the files the wasm one traps on (deep nesting). */
function toolchainFormat(text: string, trap: string): string {
  const r = spawnSync('gofmt', [], { input: text, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.error || r.status === null) throw new Error(`gofmt crashed (${trap}) and no gofmt on PATH could check the file instead`);
  if (r.status !== 0) throw new Error(r.stderr.replace(/^<standard input>:/gm, '').trim() || `gofmt exited ${r.status}`);
  return r.stdout;
}

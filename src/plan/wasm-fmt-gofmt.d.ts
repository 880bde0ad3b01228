// The format-with-an-instance half of @wasm-fmt/gofmt, which the package ships without types.
declare module '@wasm-fmt/gofmt/gofmt_binding.js' {
  export function format(wasm: WebAssembly.Exports, source: string): string;
}

// The progress line of long runs: on stderr, only when stderr is a terminal (stdout stays the report).

/** One progress line, rewritten in place; a finished phase clears it. */
export interface ProgressLine {
  /** Shows `label done/total unit` when the phase has at least `minTotal` items, at most every 100 ms. */
  show(label: string, done: number, total: number, unit: string, minTotal: number): void;
  /** Clears a line that is still on the terminal (the work ended early). */
  clear(): void;
}

const REDRAW_MS = 100;

/** A progress line on `stream`, or undefined when `stream` is not a terminal. */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): ProgressLine | undefined {
  if (!stream.isTTY) return undefined;
  let last = 0;
  let shown = false;
  const clear = () => {
    if (shown) stream.write('\r\x1b[K');
    shown = false;
  };
  return {
    show(label, done, total, unit, minTotal) {
      if (total < minTotal) return;
      if (done >= total) return clear();
      const now = Date.now();
      if (shown && now - last < REDRAW_MS) return;
      last = now;
      shown = true;
      stream.write(`\r\x1b[K${label} ${done}/${total} ${unit}`);
    },
    clear,
  };
}

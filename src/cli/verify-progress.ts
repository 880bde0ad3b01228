// Progress of --verify: on stderr, and only for a terminal, so piped output stays clean.

export interface VerifyProgress {
  onProgress?: (done: number, total: number, name: string) => void;
  /** Clears the progress line, so the result line starts on a clean line (also after a failure). */
  end(): void;
}

/** `verifying 2/5: example.com/m/b` while --verify runs, only when stderr is a terminal. */
export function verifyProgress(): VerifyProgress {
  if (!process.stderr.isTTY) return { end: () => {} };
  let shown = false;
  return {
    onProgress: (done, total, name) => {
      shown = true;
      process.stderr.write(`\r\x1b[Kverifying ${done}/${total}: ${name}`);
    },
    end: () => {
      if (shown) process.stderr.write('\r\x1b[K');
    },
  };
}

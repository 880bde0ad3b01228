// Progress of --verify: on stderr, and only for a terminal, so piped output stays clean.

/** `verifying 2/5: example.com/m/b` while --verify runs, only when stderr is a terminal. */
export function verifyProgress(): { onProgress?: (done: number, total: number, name: string) => void } {
  if (!process.stderr.isTTY) return {};
  return {
    onProgress: (done, total, name) => {
      process.stderr.write(`\r\x1b[Kverifying ${done}/${total}: ${name}`);
      if (done === total) process.stderr.write('\n');
    },
  };
}

// Running the go command for --verify.
import { spawnSync } from 'node:child_process';
import { UserError } from '../errors.js';

export interface GoRun {
  ok: boolean;
  /** stdout and stderr together (or the spawn error), trimmed. */
  output: string;
  stdout: string;
}

/** Throws a UserError when `go` is not on PATH. */
export function requireGo(): void {
  const r = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new UserError('--verify needs the go command on PATH (install Go or drop --verify)');
}

/** Runs `go args…` in `cwd`; VCS stamping is off, since a work tree under edit need not be a clean checkout. */
export function runGo(args: string[], cwd: string): GoRun {
  const r = spawnSync('go', args, {
    cwd,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, GOFLAGS: [process.env.GOFLAGS, '-buildvcs=false'].filter(Boolean).join(' ') },
  });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() || (r.error?.message ?? '');
  return { ok: !r.error && r.status === 0, output, stdout: r.stdout ?? '' };
}

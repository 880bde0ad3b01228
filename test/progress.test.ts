// Progress of long runs: on stderr, only when stderr is a terminal (`script` gives the CLI a
// pseudo-terminal); stdout keeps the report alone, and small runs print no progress at all.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, CLI, cleanupTemp, racy, runCli, tempTree } from './helpers/cli.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const hasScript = spawnSync('script', ['--version']).status === 0;

/** `packages` directories, each with one racy map for fix to rewrite. */
function racyPackages(packages: number): Record<string, string> {
  const files: Record<string, string> = { 'go.mod': 'module example.com/many\n\ngo 1.21\n' };
  for (let i = 0; i < packages; i++) files[`p${i}/racy.go`] = racy(`p${i}`);
  return files;
}

/** Runs the CLI with stderr on a pseudo-terminal and stdout in `out`; returns what the terminal showed. */
function onTerminal(args: string[], cwd: string, out: string): { status: number | null; terminal: string } {
  const command = [process.execPath, CLI, ...args].map((a) => JSON.stringify(a)).join(' ') + ` > ${out}`;
  const run = spawnSync('script', ['-qfec', command, '/dev/null'], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000 });
  return { status: run.status, terminal: run.stdout };
}

describe('fix progress', () => {
  it.skipIf(!hasScript)('shows "analysing i/N packages" then "rewriting i/N files" on a terminal, cleared at the end', () => {
    const dir = tempTree(racyPackages(24));
    const { status, terminal } = onTerminal(['fix', './...'], dir, 'out.diff');
    expect(status).toBe(1);
    expect(terminal).toMatch(/analysing \d+\/24 packages/);
    // 24 racy files plus one gomapfix_helpers.go per package.
    expect(terminal).toMatch(/rewriting \d+\/48 files/);
    expect(terminal.indexOf('analysing')).toBeLessThan(terminal.indexOf('rewriting'));
    // The last thing on the terminal clears the progress line; stdout got the diff alone.
    expect(terminal.endsWith('\r\x1b[K')).toBe(true);
    const diff = readFileSync(join(dir, 'out.diff'), 'utf8');
    expect(diff).not.toMatch(/analysing|rewriting/);
    expect(diff.match(/^\+\+\+ b\//gm)).toHaveLength(48);
  });

  it.skipIf(!hasScript)('with --write too, and the files are written', () => {
    const dir = tempTree(racyPackages(24));
    const { status, terminal } = onTerminal(['fix', '--write', '.'], dir, 'out.diff');
    expect(status).toBe(0);
    expect(terminal).toMatch(/analysing \d+\/24 packages/);
    expect(terminal).toMatch(/rewriting \d+\/48 files/);
    expect(terminal).toContain('wrote 48 files');
    expect(readFileSync(join(dir, 'p0/racy.go'), 'utf8')).not.toBe(racy('p0'));
  });

  it.skipIf(!hasScript)('a small run prints no progress, even on a terminal', () => {
    const dir = tempTree(racyPackages(3));
    const { status, terminal } = onTerminal(['fix', '.'], dir, 'out.diff');
    expect(status).toBe(1);
    expect(terminal).toBe('');
  });

  it('prints no progress when stderr is not a terminal', () => {
    const run = runCli(['fix', '.'], { cwd: tempTree(racyPackages(24)) });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('');
  });
});

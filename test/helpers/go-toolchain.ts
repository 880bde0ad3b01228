// Helpers that run the real Go toolchain on a fixture case (see docs/fixtures.md).
//
//   goBinaries()                      -> { go126: 'go', go119: '/usr/lib/go-1.19/bin/go' | null }
//   prepareCase(caseDir, options?)    -> PreparedCase: a fresh temp copy of the case as a module
//   runGo(bin, args, cwd, options?)   -> { code, stdout, stderr, timedOut, output }
//   raceResult(run)                   -> { kind: 'race' | 'pass' | 'fail', text }
//   goDirective(goModText)            -> { major, minor } | null
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const GO119_PATH = '/usr/lib/go-1.19/bin/go';

export interface GoBinaries {
  /** The toolchain on PATH (Go 1.26 on the project's machines). */
  go126: string;
  /** Go 1.19, when installed (CI installs golang-1.19-go); null otherwise. */
  go119: string | null;
}

export function goBinaries(): GoBinaries {
  return { go126: 'go', go119: existsSync(GO119_PATH) ? GO119_PATH : null };
}

export const DEFAULT_GO_MOD = 'module fixture\n\ngo 1.19\n';

export interface PrepareOptions {
  /**
   * 'input' (default): copy the case's input files.
   * 'output': copy the rewrite results in place of the inputs they replace:
   * `output.go` -> `input.go`, `output_<name>.go` or `output.<name>.go` -> `<name>.go`.
   * Inputs without an output counterpart are copied unchanged.
   */
  use?: 'input' | 'output';
  /** Extra or replacement files, by base name -> contents (e.g. an in-memory rewrite result). */
  overrides?: Record<string, string>;
}

export interface PreparedCase {
  /** The temp module directory. */
  dir: string;
  /** Base names of the .go files written (sorted). */
  files: string[];
  /** The go.mod text written (the case's own, or DEFAULT_GO_MOD). */
  goMod: string;
  /** Removes the temp directory. Safe to call twice. */
  cleanup(): void;
}

/** Whether a base name is a Go input file of a case (not an `output*.go` rewrite result). */
export function isInputGoFile(name: string): boolean {
  return name.endsWith('.go') && !name.startsWith('output');
}

/** The input file an `output*.go` file replaces, or null if `name` is not an output file. */
export function outputTarget(name: string): string | null {
  if (!name.endsWith('.go') || !name.startsWith('output')) return null;
  if (name === 'output.go') return 'input.go';
  const rest = name.slice('output'.length);
  if (rest.startsWith('_') || rest.startsWith('.')) return rest.slice(1);
  return null;
}

export function prepareCase(caseDir: string, options: PrepareOptions = {}): PreparedCase {
  const use = options.use ?? 'input';
  const names = readdirSync(caseDir).sort();
  const plan = new Map<string, string>(); // target name -> source path
  for (const name of names) {
    if (isInputGoFile(name)) plan.set(name, join(caseDir, name));
  }
  if (use === 'output') {
    let found = false;
    for (const name of names) {
      const target = outputTarget(name);
      if (target) {
        plan.set(target, join(caseDir, name));
        found = true;
      }
    }
    if (!found) throw new Error(`prepareCase: ${caseDir} has no output*.go file`);
  }

  const dir = mkdtempSync(join(tmpdir(), 'gomapfix-case-'));
  let removed = false;
  const cleanup = (): void => {
    if (removed) return;
    removed = true;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const [target, source] of plan) copyFileSync(source, join(dir, target));
    for (const [target, text] of Object.entries(options.overrides ?? {})) {
      writeFileSync(join(dir, target), text);
      plan.set(target, '');
    }
    const caseMod = join(caseDir, 'go.mod');
    const goMod = existsSync(caseMod) ? readFileSync(caseMod, 'utf8') : DEFAULT_GO_MOD;
    writeFileSync(join(dir, 'go.mod'), goMod);
    const caseSum = join(caseDir, 'go.sum');
    if (existsSync(caseSum)) copyFileSync(caseSum, join(dir, 'go.sum'));
    const files = [...plan.keys()].filter((n) => n.endsWith('.go')).sort();
    return { dir, files, goMod, cleanup };
  } catch (err) {
    cleanup();
    throw err;
  }
}

/** The `go` directive of a go.mod text, e.g. `go 1.19` -> { major: 1, minor: 19 }. */
export function goDirective(goModText: string): { major: number; minor: number } | null {
  const m = /^go\s+(\d+)\.(\d+)/m.exec(goModText);
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]) };
}

export interface GoRun {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** stdout + stderr, for messages. */
  output: string;
}

// Generous: a cold build cache on a loaded 2-core CI machine builds the race runtime and std
// first; a timeout there says nothing about the case.
export const GO_TIMEOUT_MS = 600_000;

export function runGo(
  bin: string,
  args: string[],
  cwd: string,
  options: { timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<GoRun> {
  const timeoutMs = options.timeoutMs ?? GO_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
      cwd,
      env: {
        ...process.env,
        GOTOOLCHAIN: 'local',
        GOFLAGS: '-mod=mod -buildvcs=false',
        CGO_ENABLED: '1',
        GOWORK: 'off',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group, so a timeout also ends the test binary that `go test` started.
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (timedOut) stderr += `\n[runGo] ${bin} ${args.join(' ')} timed out after ${timeoutMs} ms`;
      resolve({ code, stdout, stderr, timedOut, output: stdout + stderr });
    });
  });
}

export type RaceKind = 'race' | 'pass' | 'fail';

const RACE_PATTERNS = [/WARNING: DATA RACE/, /concurrent map (writes|read and map write|iteration and map write)/];

/** Classifies the result of `go test -race`. */
export function raceResult(run: Pick<GoRun, 'code' | 'output'> | { code: number | null; stdout: string; stderr: string }): {
  kind: RaceKind;
  text: string;
} {
  const text = 'output' in run ? run.output : run.stdout + run.stderr;
  if (RACE_PATTERNS.some((re) => re.test(text))) return { kind: 'race', text };
  if (run.code === 0) return { kind: 'pass', text };
  return { kind: 'fail', text };
}

/** Every case folder (one holding expect.json) under root, in name order. */
export function caseDirs(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    const entries = readdirSync(dir).sort();
    if (entries.includes('expect.json')) out.push(dir);
    for (const name of entries) {
      if (name.startsWith('.') || name === 'node_modules') continue;
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
    }
  };
  walk(root);
  return out;
}

/**
 * A case's package as the tool sees it, in a fresh temp dir: its input .go files (no outputs),
 * its go.mod if any, and its *_test.go files only when `tests` is set.
 */
export function copyCaseInputs(caseDir: string, options: { tests?: boolean } = {}): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'gomapfix-inputs-'));
  for (const name of readdirSync(caseDir)) {
    if ((isInputGoFile(name) && (options.tests || !name.endsWith('_test.go'))) || name === 'go.mod') copyFileSync(join(caseDir, name), join(dir, name));
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

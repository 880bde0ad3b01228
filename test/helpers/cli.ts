// Shared helpers for the CLI and discovery tests: spawn the built CLI, make temp Go trees, Go snippets.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { JsonFinding } from '../../src/scan.js';

export const REPO = join(import.meta.dirname, '..', '..');
export const CLI = join(REPO, 'dist', 'src', 'cli', 'main.js');

/** Throws a clear message when `npm run build` has not produced the CLI. */
export function assertBuilt(): void {
  if (!existsSync(CLI)) {
    throw new Error(`${CLI} is missing: run \`npm run build\` first (\`npm test\` does it for you)`);
  }
}

export interface CliRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface CliOptions {
  cwd?: string;
  /** Added to a copy of the environment from which colour variables were removed. */
  env?: Record<string, string>;
  uid?: number;
  gid?: number;
  timeoutMs?: number;
}

/** Runs `node dist/src/cli/main.js ...args` with piped stdio (never a TTY). */
export function runCli(args: string[], opts: CliOptions = {}): CliRun {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k === 'FORCE_COLOR' || k === 'NO_COLOR' || k === 'CLICOLOR_FORCE') continue;
    env[k] = v;
  }
  Object.assign(env, opts.env ?? {});
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: opts.cwd ?? REPO,
    env,
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 180_000,
    maxBuffer: 64 * 1024 * 1024,
    ...(opts.uid !== undefined ? { uid: opts.uid } : {}),
    ...(opts.gid !== undefined ? { gid: opts.gid } : {}),
  });
  const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  if (r.error && !timedOut) throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '', timedOut };
}

export interface JsonReport {
  version: number;
  findings: JsonFinding[];
  errors: { file: string; message: string }[];
  skipped?: { file: string; reason: string }[];
  warnings?: { file?: string; line?: number; message: string }[];
}

/** Runs `scan --format json` and parses stdout (with the raw run for exit code checks). */
export function scanJson(args: string[], opts: CliOptions = {}): { run: CliRun; report: JsonReport } {
  const run = runCli(['scan', ...args, '--format', 'json'], opts);
  let report: JsonReport;
  try {
    report = JSON.parse(run.stdout) as JsonReport;
  } catch {
    throw new Error(`stdout is not JSON (exit ${run.status}):\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
  return { run, report };
}

const made: string[] = [];

/** A fresh directory under os.tmpdir(), filled with `files` (path → contents); removed by cleanupTemp(). */
export function tempTree(files: Record<string, string | Uint8Array> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'gomapfix-test-'));
  made.push(dir);
  writeTree(dir, files);
  return dir;
}

export function writeTree(dir: string, files: Record<string, string | Uint8Array>): void {
  for (const [rel, body] of Object.entries(files)) {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, body);
  }
}

export function cleanupTemp(): void {
  for (const dir of made.splice(0)) {
    try {
      chmodSync(dir, 0o755); // a test may have locked it down
    } catch {
      /* best effort */
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A package map written by one `go func` per loop iteration: a concurrent-map-write.
 * The write `<name>[i]++` is on line 8, column 4; the declaration on line 3, column 5.
 */
export function racy(pkg = 'p', name = 'counts', fn = 'Run'): string {
  return `package ${pkg}

var ${name} = map[int]int{}

func ${fn}() {
	for i := 0; i < 4; i++ {
		go func(i int) {
			${name}[i]++
		}(i)
	}
}
`;
}

/** Line of the racy write in racy(). */
export const RACY_LINE = 8;

/** Map use with no goroutine at all: nothing to report. */
export function safe(pkg = 'p', name = 'table', fn = 'Fill'): string {
  return `package ${pkg}

var ${name} = map[string]int{}

func ${fn}() {
	for i := 0; i < 4; i++ {
		${name}["k"] += i
	}
}
`;
}

/** Findings reduced to "file:line rule map" strings, sorted. */
export function summary(report: JsonReport): string[] {
  return report.findings.map((f) => `${f.file}:${f.line} ${f.rule} ${f.map.name}`).sort();
}

// The scan pipeline: discover → read → parse → facts → findings, packages spread over worker threads.
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fork, type ChildProcess } from 'node:child_process';
import { analyzeDir, type DirResult, type FileInput } from './analysis/analyze.js';
import { isPartiallyAnalysed } from './parse/recover.js';
import type { Finding, FileError, SkippedFile } from './analysis/model.js';
import { targetPlatform, type Platform } from './files/build-constraints.js';
import { DEFAULT_MAX_FILE_SIZE, describeFsError, discover, type PackageDir } from './files/discover.js';
import type { Warning } from './files/warning.js';
import { IgnoreLedger, type IgnoreNote } from './analysis/ignore-comments.js';
import { withoutExcluded } from './config/exclude.js';
import { demoteUncalled, moduleGoFiles, NameReferences, readTexts } from './analysis/references.js';

export interface ScanOptions {
  cwd?: string;
  maxFileSize?: number;
  /** Analysis processes; 0 analyses in this process. Default: one per core when there are many files. */
  workers?: number;
  onProgress?: (done: number, total: number) => void;
  /** Analyse files of every platform together instead of the $GOOS/$GOARCH build. */
  allPlatforms?: boolean;
  /** `false`: leave `_test.go` files out of the analysis (`--tests=false`). */
  tests?: boolean;
  /** Also report callbacks called under the map's lock with no re-entrance shown (`--hazards`). */
  hazards?: boolean;
  /** Also report unlocked accesses of a test's own goroutine to a guarded map (`--strict-tests`). */
  strictTests?: boolean;
  /** Files (absolute paths) left out of the analysis: the configuration's `exclude` globs. */
  exclude?: (abs: string) => boolean;
  /** Also list the ignore comments that silenced nothing under `warnings` (`--report-unused-ignores`). */
  reportUnusedIgnores?: boolean;
}

/** A finding as printed by `--format json` (1-based lines and columns, file relative to cwd). */
export interface JsonFinding {
  id: string;
  rule: string;
  message: string;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  map: { name: string; kind: string; file: string; line: number };
  evidence: { kind: string; message: string; file: string; line: number; column: number }[];
  /** Accesses and contexts left out of `evidence` (it keeps at most 5 and 3). */
  omittedEvidence: { access: number; context: number };
  /** `low` when the race rests on an assumption the scan cannot check, said in confidenceReason (docs/confidence.md). */
  confidence: 'high' | 'low';
  confidenceReason?: string;
}

export interface ScanResult {
  version: 1;
  findings: JsonFinding[];
  errors: FileError[];
  skipped: SkippedFile[];
  /** A malformed go.mod, a `...` pattern that matched no Go file. */
  warnings: Warning[];
  /** Number of Go files that were found (analysed, skipped or in error). */
  files: number;
  /** Number of Go files that were parsed and analysed (not skipped, not in error). */
  analysed: number;
  /** Ignore comments that silenced nothing (listed under `warnings`; counted only with `reportUnusedIgnores`). */
  unusedIgnores: number;
}

const WORKER_THRESHOLD = 300;

/** Scans Go files under `paths` and returns findings, per-file errors and skipped files. */
export async function scan(paths: string[], options: ScanOptions = {}): Promise<ScanResult> {
  const cwd = options.cwd ?? process.cwd();
  const script = options.workers === 0 ? null : workerScript();
  const wanted = options.workers ?? Math.max(1, cpus().length);
  // The analysis processes start booting as soon as the scan is known to be big enough, while
  // discovery goes on (a process takes ~0.2 s to load the analysis and the parser).
  let pool: WorkerPool | null = null;
  const onFile =
    script && options.workers === undefined
      ? (count: number) => {
          if (count === WORKER_THRESHOLD) pool = new WorkerPool(script, wanted);
        }
      : undefined;
  let found: ReturnType<typeof discover>;
  try {
    found = discover(paths.length > 0 ? paths : ['.'], { cwd, maxFileSize: options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE, ...(options.tests === false ? { tests: false } : {}), ...(onFile ? { onFile } : {}) });
  } catch (err) {
    (pool as WorkerPool | null)?.close();
    throw err;
  }
  // Every Go file of the scanned packages' modules, and every file found (excluded and skipped
  // ones too), can name a function (analysis/references.ts).
  const roots = found.dirs.flatMap((d) => (d.module.dir === null ? [] : [d.module.dir]));
  const named = [...found.dirs.flatMap((d) => d.files), ...found.skipped.map((s) => resolve(cwd, s.file))];
  if (options.exclude) found = withoutExcluded(found, options.exclude, cwd);
  const platform = options.allPlatforms ? null : targetPlatform();
  const analysis = { hazards: !!options.hazards, strictTests: !!options.strictTests };
  const jobs = found.dirs.map((d) => toJob(d, cwd, platform, analysis, !!options.reportUnusedIgnores));
  const workerCount = options.workers ?? (found.fileCount >= WORKER_THRESHOLD ? wanted : 0);
  if (!pool && script && workerCount > 0 && jobs.length > 0) pool = new WorkerPool(script, workerCount);
  const running = pool as WorkerPool | null;
  const results = running ? await running.run(jobs, options.onProgress) : runHere(jobs, options.onProgress);
  const findings: Finding[] = [];
  const errors = [...found.errors];
  const skipped = [...found.skipped];
  let analysed = found.fileCount;
  const ignoreNotes: IgnoreNote[] = [];
  const unusedIgnores: IgnoreNote[] = [];
  for (const r of results) {
    ignoreNotes.push(...(r.unknownRules ?? []));
    unusedIgnores.push(...(r.unusedIgnores ?? []));
    findings.push(...r.findings);
    errors.push(...r.errors);
    skipped.push(...r.skipped);
    // A file analysed around declarations tree-sitter misread is listed under errors, yet analysed.
    analysed -= r.errors.filter((e) => !isPartiallyAnalysed(e.message)).length + r.skipped.length;
  }
  demoteUncalled(findings, new NameReferences(() => readTexts(moduleGoFiles(roots, named))));
  findings.sort((a, b) => cmp(a.span.file, b.span.file) || a.span.line - b.span.line || a.span.column - b.span.column || cmp(a.rule, b.rule));
  errors.sort((a, b) => cmp(a.file, b.file));
  skipped.sort((a, b) => cmp(a.file, b.file));
  return {
    version: 1,
    findings: findings.map(toJson),
    errors,
    skipped,
    warnings: [...found.warnings, ...[...ignoreNotes, ...unusedIgnores].sort((a, b) => cmp(a.file, b.file) || a.line - b.line)],
    files: found.fileCount + found.errors.length + found.skipped.length,
    analysed: Math.max(0, analysed),
    unusedIgnores: unusedIgnores.length,
  };
}

interface DirJob {
  files: { path: string; rel: string }[];
  /** Total size of the files (the work the job takes); 0 when unknown. */
  bytes: number;
  /** The platform whose build constraints select files; null analyses every file. */
  platform: Platform | null;
  /** The analysis switches (`--hazards`, `--strict-tests`), as the rules take them. */
  analysis: { hazards?: boolean; strictTests?: boolean };
  reportUnusedIgnores?: boolean;
}

/** A directory's analysis, with what its ignore comments did. */
export interface JobResult extends DirResult {
  unknownRules?: IgnoreNote[];
  unusedIgnores?: IgnoreNote[];
}

function toJob(d: PackageDir, cwd: string, platform: Platform | null, analysis: DirJob['analysis'], reportUnusedIgnores: boolean): DirJob {
  return {
    files: d.files.map((path) => ({ path, rel: relative(cwd, path) || path })),
    bytes: d.bytes ?? 0,
    platform,
    analysis,
    ...(reportUnusedIgnores ? { reportUnusedIgnores: true } : {}),
  };
}

/** Reads a directory's files and analyses them; unreadable files become errors. */
export function runJob(job: DirJob): JobResult {
  const inputs: FileInput[] = [];
  const errors: FileError[] = [];
  for (const f of job.files) {
    try {
      inputs.push({ rel: f.rel, bytes: readFileSync(f.path) });
    } catch (err) {
      errors.push({ file: f.rel, message: `cannot read: ${describeFsError(err)}` });
    }
  }
  let result: JobResult;
  const ignores = new IgnoreLedger();
  try {
    result = analyzeDir(inputs, job.platform, { ...job.analysis, ignores });
    result.unknownRules = ignores.unknownRules();
    if (job.reportUnusedIgnores) result.unusedIgnores = ignores.unused();
  } catch (err) {
    // An analysis bug must not take the whole scan down: report the directory and go on.
    const where = job.files[0]?.rel ?? '?';
    result = { findings: [], errors: [{ file: where, message: `internal error while analysing this package: ${(err as Error).message}` }], skipped: [] };
  }
  result.errors.push(...errors);
  return result;
}

function runHere(jobs: DirJob[], onProgress?: (done: number, total: number) => void): JobResult[] {
  const total = jobs.reduce((n, j) => n + j.files.length, 0);
  let done = 0;
  return jobs.map((j) => {
    const r = runJob(j);
    done += j.files.length;
    onProgress?.(done, total);
    return r;
  });
}

function workerScript(): string | null {
  const path = fileURLToPath(new URL('./scan-worker.js', import.meta.url));
  return existsSync(path) ? path : null;
}

/**
 * V8 flags of the analysis processes. A larger young generation: the analysis allocates many
 * short-lived nodes. A 16× interrupt budget (default 66 KB of bytecode): functions gather more
 * type feedback before the optimizing compiler takes them, so far fewer are compiled, deoptimized
 * and compiled again; with the default, optimizing compilation took ~20% of the scan's CPU time
 * (2 processes × ~2 s on the standard library), now it takes ~0.4 s per process.
 */
const CHILD_V8_FLAGS = ['--max-semi-space-size=64', '--interrupt-budget=1056000'];

/** Jobs each analysis process is sent ahead, so that it never waits for the next one. */
const IN_FLIGHT = 2;

/**
 * Analysis child processes. Processes, not worker threads: on the 2-core benchmark machine the
 * native parser ran ~15% slower inside worker threads.
 */
class WorkerPool {
  private readonly children: ChildProcess[];

  constructor(script: string, count: number) {
    this.children = Array.from({ length: count }, () => fork(script, { serialization: 'advanced', execArgv: CHILD_V8_FLAGS, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }));
  }

  /** Ends the processes without running anything. */
  close(): void {
    for (const child of this.children) {
      child.on('error', () => {});
      if (child.connected) child.disconnect();
    }
  }

  /** Analyses the jobs, biggest first (by bytes, then files), each process kept IN_FLIGHT jobs ahead. */
  async run(jobs: DirJob[], onProgress?: (done: number, total: number) => void): Promise<JobResult[]> {
    const results: JobResult[] = new Array(jobs.length);
    const total = jobs.reduce((n, j) => n + j.files.length, 0);
    const order = jobs.map((_, i) => i).sort((a, b) => jobs[b]!.bytes - jobs[a]!.bytes || jobs[b]!.files.length - jobs[a]!.files.length || a - b);
    // Processes beyond the number of jobs have nothing to do.
    for (const child of this.children.slice(jobs.length)) child.disconnect();
    let next = 0;
    let done = 0;
    const runWorker = (child: ChildProcess) =>
      new Promise<void>((resolve, reject) => {
        let pending = 0;
        const feed = () => {
          while (pending < IN_FLIGHT) {
            const i = order[next];
            if (i === undefined) break;
            next++;
            pending++;
            child.send({ i, job: jobs[i] });
          }
          if (pending === 0 && child.connected) child.disconnect();
        };
        child.on('message', (msg: { i: number; result: JobResult }) => {
          results[msg.i] = msg.result;
          pending--;
          done += jobs[msg.i]!.files.length;
          onProgress?.(done, total);
          feed();
        });
        child.on('error', reject);
        child.on('exit', (code) => (code === 0 || code === null ? resolve() : reject(new Error(`analysis process exited with code ${code}`))));
        feed();
      });
    await Promise.all(this.children.slice(0, jobs.length).map(runWorker));
    return results;
  }
}

/** A finding as the JSON output and the Plan show it. */
export function toJson(f: Finding): JsonFinding {
  return {
    id: f.id,
    rule: f.rule,
    message: f.message,
    file: f.span.file,
    line: f.span.line,
    column: f.span.column,
    endLine: f.span.endLine,
    endColumn: f.span.endColumn,
    map: { name: f.map.name, kind: f.map.kind, file: f.map.file, line: f.map.line },
    evidence: f.evidence,
    omittedEvidence: f.omittedEvidence,
    confidence: f.confidence,
    ...(f.confidenceReason ? { confidenceReason: f.confidenceReason } : {}),
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

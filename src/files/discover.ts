import { closeSync, lstatSync, openSync, readdirSync, readFileSync, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { UserError } from '../errors.js';
import type { FileError, SkippedFile } from '../analysis/model.js';
import { ModuleResolver, type ModuleInfo } from './gomod.js';
import type { Warning } from './warning.js';
import { isWildcard, resolvePattern } from './patterns.js';

/** A directory of Go files; the analysis splits it by package clause. */
export interface PackageDir {
  dir: string;
  files: string[];
  module: ModuleInfo;
  /** Total size of the files in bytes (a measure of the work they take). */
  bytes?: number;
}

export interface Discovery {
  dirs: PackageDir[];
  fileCount: number;
  skipped: SkippedFile[];
  errors: FileError[];
  /** A malformed go.mod, a `...` pattern that matched no Go file. */
  warnings: Warning[];
  /** `_test.go` files left out by `tests: false` (absolute paths, sorted). */
  excludedTests: string[];
}

export interface DiscoverOptions {
  /** Files larger than this are reported as skipped. */
  maxFileSize: number;
  /** Where relative names in reports are taken from. */
  cwd: string;
  /** Called after each Go file found, with the number found so far (lets a caller start work early). */
  onFile?: (count: number) => void;
  /**
   * `false` (`--tests=false`): `_test.go` files met in a directory walk are left out, listed in
   * `excludedTests` only (a test file named on the command line is still analysed).
   */
  tests?: boolean;
}

export const DEFAULT_MAX_FILE_SIZE = 8 * 1024 * 1024;

/** Directories discovery never enters (nor any whose name starts with `.` or `_`). */
export const SKIPPED_DIRS: ReadonlySet<string> = new Set(['vendor', 'testdata', 'node_modules']);

/** Where a walk reports what it meets; a `...` pattern filters it by directory. */
interface WalkSink {
  file(path: string, stats: Stats): void;
  skip(path: string, reason: string): void;
  fail(path: string, message: string): void;
}

interface GitignoreLayer {
  dir: string;
  rules: Ignore;
}

/**
 * Turns the paths and `...` patterns a user named into directories of Go files, applying the
 * design's skips.
 */
export function discover(paths: string[], options: DiscoverOptions): Discovery {
  const byDir = new Map<string, Set<string>>();
  const bytesOf = new Map<string, number>();
  let found = 0;
  const skipped: SkippedFile[] = [];
  const errors: FileError[] = [];
  const warnings: Warning[] = [];
  const excludedTests: string[] = [];
  const rel = (p: string) => relative(options.cwd, p) || '.';
  const modules = new ModuleResolver((w) => warnings.push(w), rel);
  // Paths already reported: arguments that overlap (`./... ./pkg/...`) list a file once.
  const met = new Set<string>();
  const firstTime = (path: string) => !met.has(path) && !!met.add(path);

  const addFile = (path: string, stats: Stats) => {
    if (!firstTime(path)) return;
    if (stats.size > options.maxFileSize) {
      skipped.push({ file: rel(path), reason: `file is ${size(stats.size)}, over the ${size(options.maxFileSize)} limit (--max-file-size)` });
      return;
    }
    const dir = dirname(path);
    let set = byDir.get(dir);
    if (!set) byDir.set(dir, (set = new Set()));
    set.add(path);
    bytesOf.set(dir, (bytesOf.get(dir) ?? 0) + stats.size);
    options.onFile?.(++found);
  };

  for (const given of paths) {
    const pattern = resolvePattern(given, options.cwd, modules);
    const abs = resolve(options.cwd, pattern.base);
    let stats: Stats;
    try {
      stats = statSync(abs);
    } catch (err) {
      throw new UserError(`cannot read ${given}: ${describeFsError(err)}`);
    }
    if (stats.isDirectory()) {
      try {
        readdirSync(abs);
      } catch (err) {
        throw new UserError(`cannot read ${given}: ${describeFsError(err)}`);
      }
      let matched = 0;
      const keep = pattern.keepDir;
      const inPattern = (path: string, isDir = false) => !keep || keep(relative(abs, isDir ? path : dirname(path)).split(sep).join('/'));
      const sink: WalkSink = {
        file: (path, st) => {
          if (!inPattern(path)) return;
          matched++;
          if (options.tests === false && path.endsWith('_test.go')) {
            if (firstTime(path)) excludedTests.push(path);
            return;
          }
          addFile(path, st);
        },
        skip: (path, reason) => {
          if (!inPattern(path)) return;
          matched++;
          if (firstTime(path)) skipped.push({ file: rel(path), reason });
        },
        fail: (path, message) => {
          if (!inPattern(path, message.startsWith('cannot read directory'))) return;
          matched++;
          if (firstTime(path)) errors.push({ file: rel(path), message });
        },
      };
      const root = realpathSync(abs);
      walk(abs, root, gitignoreAbove(abs), new Set([root]), sink);
      // Like the go command's `warning: "./x/..." matched no packages`.
      if (isWildcard(given) && matched === 0) warnings.push({ message: `"${given}" matched no Go files` });
    } else if (isWildcard(given)) {
      throw new UserError(`${given}: ${pattern.base} is not a directory`);
    } else if (stats.isFile()) {
      if (!abs.endsWith('.go')) throw new UserError(`${given} is not a Go file`);
      try {
        closeSync(openSync(abs, 'r'));
      } catch (err) {
        throw new UserError(`cannot read ${given}: ${describeFsError(err)}`);
      }
      addFile(abs, stats);
    } else {
      throw new UserError(`${given} is not a file or directory`);
    }
  }

  const dirs: PackageDir[] = [...byDir.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([dir, files]) => ({ dir, files: [...files].sort(), module: modules.forDir(dir), bytes: bytesOf.get(dir) ?? 0 }));
  const fileCount = dirs.reduce((n, d) => n + d.files.length, 0);
  return { dirs, fileCount, skipped, errors, warnings, excludedTests: excludedTests.sort() };
}

function walk(
  dir: string,
  root: string,
  layers: GitignoreLayer[],
  visited: Set<string>,
  sink: WalkSink,
): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    sink.fail(dir, `cannot read directory: ${describeFsError(err)}`);
    return;
  }
  const own = loadGitignore(dir);
  const here = own ? [...layers, own] : layers;
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const name = entry.name;
    if (name.startsWith('.') || name.startsWith('_')) continue;
    const path = join(dir, name);
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    let stats: Stats | undefined;
    if (entry.isSymbolicLink()) {
      let real: string;
      try {
        real = realpathSync(path);
        stats = statSync(real);
      } catch (err) {
        if (name.endsWith('.go')) sink.fail(path, `cannot read: ${describeFsError(err)}`);
        continue;
      }
      if (real !== root && !real.startsWith(root + sep)) {
        sink.skip(path, 'symbolic link points outside the scanned directory; not followed');
        continue;
      }
      isDir = stats.isDirectory();
      isFile = stats.isFile();
      if (isDir) {
        if (visited.has(real)) continue;
        visited.add(real);
      }
    }
    if (isIgnored(here, path, isDir)) continue;
    if (isDir) {
      if (SKIPPED_DIRS.has(name)) continue;
      if (!entry.isSymbolicLink()) {
        let real: string;
        try {
          real = realpathSync(path);
        } catch {
          real = path;
        }
        if (visited.has(real)) continue;
        visited.add(real);
      }
      walk(path, root, here, visited, sink);
    } else if (name.endsWith('.go')) {
      if (!isFile) {
        sink.skip(path, 'not a regular file');
        continue;
      }
      let st: Stats;
      try {
        st = stats ?? lstatSync(path);
      } catch (err) {
        sink.fail(path, `cannot read: ${describeFsError(err)}`);
        continue;
      }
      sink.file(path, st);
    }
  }
}

function loadGitignore(dir: string): GitignoreLayer | null {
  let text: string;
  try {
    text = readFileSync(join(dir, '.gitignore'), 'utf8');
  } catch {
    return null;
  }
  return { dir, rules: ignore().add(text) };
}

/** .gitignore files of the enclosing git work tree, from its top down to (excluding) `dir`. */
function gitignoreAbove(dir: string): GitignoreLayer[] {
  const chain: string[] = [];
  let cur = dirname(dir);
  let top: string | null = null;
  for (let probe = dir; ; probe = dirname(probe)) {
    try {
      statSync(join(probe, '.git'));
      top = probe;
      break;
    } catch {
      /* keep climbing */
    }
    if (dirname(probe) === probe) break;
  }
  if (top === null || top === dir) return [];
  while (true) {
    chain.unshift(cur);
    if (cur === top || dirname(cur) === cur) break;
    cur = dirname(cur);
  }
  return chain.map(loadGitignore).filter((l): l is GitignoreLayer => l !== null);
}

function isIgnored(layers: GitignoreLayer[], path: string, isDir: boolean): boolean {
  for (const layer of layers) {
    const r = relative(layer.dir, path).split(sep).join('/');
    if (!r || r.startsWith('..')) continue;
    if (layer.rules.ignores(isDir ? `${r}/` : r)) return true;
  }
  return false;
}

function size(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}

/** A short, user-facing description of a file-system error. */
export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'ENOTDIR':
      return 'not a directory';
    case 'EISDIR':
      return 'is a directory';
    default:
      return code ? code.toLowerCase() : String((err as Error)?.message ?? err);
  }
}

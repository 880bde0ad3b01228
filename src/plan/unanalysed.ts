// A fix is planned from the accesses the analysis saw. When a file of the package could not be
// analysed (unreadable, over the size limit, a syntax error, syntax the parser does not know), its
// accesses are unknown, and a fix that is safe for the files seen may be wrong: it is declined.
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { PARTIALLY_ANALYSED } from '../parse/recover.js';

/** A file that belongs to a scanned directory but was not analysed, and why. */
export interface UnanalysedFile {
  rel: string;
  why: string;
  /** Part of it was analysed (valid Go tree-sitter misreads in some declarations): its other declarations were not. */
  partial: boolean;
  /** Its package clause, or null when unknown (then it counts against every package of its directory). */
  pkg: string | null;
}

/** The unanalysed files of each directory (absolute path), from error and skip entries. */
export class UnanalysedFiles {
  private readonly byDir = new Map<string, UnanalysedFile[]>();

  constructor(private readonly cwd: string) {}

  /**
   * Records an entry of `errors` (or a skip that leaves a file of the package out). Only `.go`
   * files count: a directory that could not be read is not a file of the package around it.
   */
  add(rel: string, why: string, text?: string): void {
    if (!rel.endsWith('.go')) return;
    const dir = dirname(resolve(this.cwd, rel));
    const list = this.byDir.get(dir) ?? [];
    if (list.some((f) => f.rel === rel)) return;
    const partial = PARTIALLY_ANALYSED.test(why);
    list.push({ rel, why: why.replace(/; file not analysed$/, '').replace(PARTIALLY_ANALYSED, '; $1 not analysed'), partial, pkg: text === undefined ? null : packageClause(text) });
    this.byDir.set(dir, list);
  }

  /** The unanalysed files that may belong to package `pkg` of directory `dir`. */
  of(dir: string, pkg: string): UnanalysedFile[] {
    return (this.byDir.get(dir) ?? []).filter((f) => f.pkg === null || f.pkg === pkg);
  }
}

/** Why a fix of `mapName` is declined when `files` of its package were not analysed. */
export function unanalysedReason(files: UnanalysedFile[], mapName: string): string {
  const first = files[0]!;
  const more = files.length > 1 ? ` (and ${files.length - 1} more file${files.length > 2 ? 's' : ''} of the package)` : '';
  const what = first.partial ? 'was only partly analysed' : 'could not be analysed';
  return `${first.rel} ${what} (${first.why})${more}: its accesses to ${mapName} are unknown`;
}

/**
 * The package name a file declares: its first token after comments, read without parsing (the
 * file may not parse), or null.
 */
function packageClause(text: string): string | null {
  const head = text.slice(0, 64 * 1024).replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, ' ');
  return /^\s*package\s+([\p{L}_][\p{L}\p{N}_]*)/u.exec(head)?.[1] ?? null;
}

/**
 * The `_test.go` files `--tests=false` left out, by directory. Unlike an unanalysed file, one
 * blocks only the fixes of the maps it names: a test that never names a map cannot touch it
 * directly, and a rewrite cannot break its build.
 */
export class LeftOutTests {
  private readonly byDir = new Map<string, { rel: string; abs: string; text: string | null; pkg: string | null }[]>();

  constructor(cwd: string, files: string[]) {
    for (const abs of files) {
      const dir = dirname(abs);
      const list = this.byDir.get(dir) ?? [];
      list.push({ rel: relative(cwd, abs) || abs, abs, text: null, pkg: null });
      this.byDir.set(dir, list);
    }
  }

  /** The first left-out test file of package `pkg` in `dir` that names map `mapName` (`counts`, `Store.sessions`), or null. */
  naming(dir: string, pkg: string, mapName: string): string | null {
    const list = this.byDir.get(dir);
    if (!list) return null;
    const dot = mapName.lastIndexOf('.');
    const word = dot >= 0 ? mapName.slice(dot + 1) : mapName;
    const re = new RegExp(`${dot >= 0 ? '\\.' : '\\b'}${word.replace(/[$]/g, '\\$&')}\\b`);
    for (const f of list) {
      if (f.text === null) {
        try {
          f.text = readFileSync(f.abs, 'utf8');
        } catch {
          // Unreadable: its accesses are unknown.
          return f.rel;
        }
        f.pkg = packageClause(f.text);
      }
      if (f.pkg !== null && f.pkg !== pkg) continue;
      if (re.test(f.text)) return f.rel;
    }
    return null;
  }
}

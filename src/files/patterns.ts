// Command-line paths and the go command's `...` patterns (`./...`, `./pkg/...`, `./a/.../b`), as a
// place to walk plus the directories to keep. See docs/paths.md.
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import type { ModuleResolver } from './gomod.js';

export interface PathPattern {
  /** As the user wrote it. */
  given: string;
  /** The file or directory to read or walk, as a path relative to cwd or absolute. */
  base: string;
  /**
   * For a `...` pattern: whether the Go files of a directory belong to it, given the directory's
   * path below `base` ('/'-separated, '' for `base` itself). Absent: every directory under `base`.
   */
  keepDir?: (below: string) => boolean;
}

const WILDCARD = '...';

/** Whether a command-line argument is a go-style `...` pattern rather than a plain path. */
export function isWildcard(given: string): boolean {
  return given.includes(WILDCARD);
}

/**
 * Resolves one argument. A plain path stays as it is (a directory is walked with its
 * subdirectories). A `...` pattern walks from its literal directory prefix and keeps the
 * directories that match it, with the go command's rule: `...` matches any string, and a trailing
 * `/...` also matches the directory before it (`./pkg/...` is `pkg` and everything below it).
 * A pattern that is no directory under cwd but starts with the main module's path
 * (`example.com/m/pkg/...`) is taken as that module's directory.
 */
export function resolvePattern(given: string, cwd: string, modules: ModuleResolver): PathPattern {
  if (!isWildcard(given)) return { given, base: given };
  const pattern = given.split('\\').join('/');
  if (pattern === WILDCARD) {
    throw new UserError(`"..." would mean every package the go command knows of; use ./... for the packages under the current directory`);
  }
  const cut = pattern.lastIndexOf('/', pattern.indexOf(WILDCARD)) + 1;
  const prefix = pattern.slice(0, cut);
  const rest = pattern.slice(cut);
  const base = prefix === '' ? '.' : prefix;
  // `dir/...` keeps every directory under dir: no filter to run per file.
  const keepDir = rest === WILDCARD ? undefined : matcher(rest);
  const found = isAbsolute(base) || base.startsWith('.') || existsSync(resolve(cwd, base)) ? base : (moduleDirOf(base, cwd, modules) ?? base);
  return keepDir ? { given, base: found, keepDir } : { given, base: found };
}

/** The go command's pattern matching (cmd/go/internal/search.MatchPattern), for the part below the base. */
function matcher(rest: string): (below: string) => boolean {
  let re = rest.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const escaped = '\\.\\.\\.';
  if (re.endsWith(`/${escaped}`)) re = `${re.slice(0, -(escaped.length + 1))}(/${escaped})?`;
  re = re.split(escaped).join('.*');
  const compiled = new RegExp(`^${re}$`);
  return (below) => compiled.test(below);
}

/** `example.com/m/pkg/` → the directory `pkg/` of module example.com/m, when cwd is inside that module. */
function moduleDirOf(importPrefix: string, cwd: string, modules: ModuleResolver): string | null {
  const mod = modules.forDir(resolve(cwd));
  if (!mod.dir || !mod.path) return null;
  const trimmed = importPrefix.replace(/\/$/, '');
  if (trimmed !== mod.path && !trimmed.startsWith(`${mod.path}/`)) return null;
  const dir = join(mod.dir, trimmed.slice(mod.path.length));
  try {
    return statSync(dir).isDirectory() ? dir + '/' : null;
  } catch {
    return null;
  }
}

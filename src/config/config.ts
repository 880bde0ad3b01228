// gomapfix.json / .gomapfix.json: where it is found, how it is checked, what it turns into. See docs/config.md.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import picomatch from 'picomatch';
import { UserError } from '../errors.js';
import type { RuleId } from '../analysis/model.js';
import { firstViolation, type SchemaNode } from './schema-check.js';

export const CONFIG_NAMES = ['gomapfix.json', '.gomapfix.json'] as const;

/** A configuration file, checked against the schema. */
export interface GomapfixConfig {
  /** The file (absolute). */
  file: string;
  /** Its directory, the module root: `exclude` globs are relative to it. */
  root: string;
  exclude: string[];
  tests?: boolean;
  rules: Partial<Record<RuleId, boolean>>;
  fix: { strategy?: string; style?: 'inline' | 'wrapper' };
  maxFileSize?: number;
  hazards?: boolean;
  strictTests?: boolean;
  /** `high`: keep only high-confidence findings (docs/confidence.md). */
  confidence?: ConfidenceFilter;
}

export type ConfidenceFilter = 'all' | 'high';

/** The schema shipped in the package (schema/gomapfix.schema.json), from dist/src/config or src/config. */
export function schemaPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '..', '..', '..', 'schema', 'gomapfix.schema.json'), join(here, '..', '..', 'schema', 'gomapfix.schema.json')];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`the configuration schema is missing from the installed package (looked in ${candidates.join(', ')})`);
  return found;
}

let schemaCache: SchemaNode | null = null;

export function configSchema(): SchemaNode {
  return (schemaCache ??= JSON.parse(readFileSync(schemaPath(), 'utf8')) as SchemaNode);
}

/**
 * The configuration file of a run: for each path, the nearest directory at or above it holding a
 * go.mod (the module root), and there gomapfix.json or .gomapfix.json. Paths in modules with
 * different configuration files are an error; null when no path's module has one.
 */
export function findConfigFile(paths: string[], cwd: string): string | null {
  const found = new Map<string, string>();
  for (const given of paths.length > 0 ? paths : ['.']) {
    const root = moduleRootOf(given, cwd);
    if (!root) continue;
    const here = CONFIG_NAMES.map((n) => join(root, n)).filter((p) => isFile(p));
    if (here.length > 1) throw new UserError(`${rel(here[0]!, cwd)} and ${rel(here[1]!, cwd)} both exist: keep one`);
    if (here[0]) found.set(here[0], given);
  }
  if (found.size > 1) {
    const [[a, pa], [b, pb]] = [...found.entries()] as [[string, string], [string, string]];
    throw new UserError(`${pa} and ${pb} are in modules with different configuration files (${rel(a, cwd)}, ${rel(b, cwd)}): run gomapfix once per module`);
  }
  return [...found.keys()][0] ?? null;
}

/** Finds, reads and checks the configuration of a run (null when there is none). */
export function loadConfig(paths: string[], cwd: string): GomapfixConfig | null {
  const file = findConfigFile(paths, cwd);
  return file ? readConfig(file, cwd) : null;
}

/** Reads and checks one configuration file; a problem is a UserError naming the file and the key. */
export function readConfig(file: string, cwd: string): GomapfixConfig {
  const name = rel(file, cwd);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`${name}: cannot read: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new UserError(`${name}: not valid JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  const bad = firstViolation(configSchema(), value);
  if (bad) throw new UserError(`${name}: ${bad.message}`);
  const v = value as Omit<GomapfixConfig, 'file' | 'root' | 'exclude' | 'rules' | 'fix'> & { exclude?: string[]; rules?: GomapfixConfig['rules']; fix?: GomapfixConfig['fix'] };
  const config: GomapfixConfig = { file, root: dirname(file), exclude: v.exclude ?? [], rules: v.rules ?? {}, fix: v.fix ?? {} };
  if (v.tests !== undefined) config.tests = v.tests;
  if (v.maxFileSize !== undefined) config.maxFileSize = v.maxFileSize;
  if (v.hazards !== undefined) config.hazards = v.hazards;
  if (v.strictTests !== undefined) config.strictTests = v.strictTests;
  if (v.confidence !== undefined) config.confidence = v.confidence;
  return config;
}

/** Whether an absolute path is left out by the `exclude` globs: the file itself or a directory above it (below the root) matches. */
export function excludeMatcher(config: GomapfixConfig): ((abs: string) => boolean) | null {
  if (config.exclude.length === 0) return null;
  const match = picomatch(config.exclude, { dot: true });
  return (abs) => {
    const r = relative(config.root, abs);
    if (!r || r.startsWith('..') || resolve(config.root, r) !== abs) return false;
    const parts = r.split(sep);
    for (let i = parts.length; i >= 1; i--) if (match(parts.slice(0, i).join('/'))) return true;
    return false;
  };
}

/** The rules the configuration turns off. */
export function disabledRules(config: GomapfixConfig | null): Set<RuleId> {
  return new Set(Object.entries(config?.rules ?? {}).filter(([, on]) => on === false).map(([id]) => id as RuleId));
}

/** The module root of a command-line path: the nearest directory with a go.mod at or above it. */
function moduleRootOf(given: string, cwd: string): string | null {
  // `./pkg/...` starts at pkg; `./a/.../b` at a.
  const cut = given.indexOf('...');
  const base = cut >= 0 ? given.slice(0, cut).replace(/[^/\\]*$/, '') || '.' : given;
  let dir = resolve(cwd, base);
  // A path that does not exist is discovery's error to report; start from what exists.
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  if (isFile(dir)) dir = dirname(dir);
  for (;;) {
    if (isFile(join(dir, 'go.mod'))) return dir;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function rel(p: string, cwd: string): string {
  return relative(cwd, p) || p;
}

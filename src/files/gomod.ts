import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Warning } from './warning.js';

/** What the nearest go.mod says; `go` defaults to the oldest supported version. */
export interface ModuleInfo {
  /** Directory holding go.mod, or null when there is none. */
  dir: string | null;
  path: string | null;
  goVersion: string;
}

export const OLDEST_SUPPORTED_GO = '1.19';

/** A `go` directive's version as the go command accepts it: 1.N, 1.N.P, 1.NrcN (modfile.GoVersionRE). */
const GO_VERSION = /^[1-9][0-9]*\.(?:0|[1-9][0-9]*)(?:\.(?:0|[1-9][0-9]*))?(?:[a-z]+[0-9]+)?$/;

export interface ParsedGoMod {
  path: string | null;
  goVersion: string | null;
  /** A `go` directive whose version is missing or not a Go version: its 1-based line and text. */
  malformedGo?: { line: number; version: string };
}

/** Reads the `module` and `go` directives of a go.mod file's text. */
export function parseGoMod(text: string): ParsedGoMod {
  const mod = /^\s*module\s+("?)([^\s"]+)\1\s*(?:\/\/.*)?$/m.exec(text);
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const directive = /^\s*go(?:\s+(.*?))?\s*$/.exec(lines[i]!.replace(/\/\/.*$/, ''));
    if (!directive) continue;
    const version = directive[1] ?? '';
    if (GO_VERSION.test(version)) return { path: mod?.[2] ?? null, goVersion: version };
    return { path: mod?.[2] ?? null, goVersion: null, malformedGo: { line: i + 1, version } };
  }
  return { path: mod?.[2] ?? null, goVersion: null };
}

/** Finds the go.mod governing a directory, caching lookups per directory (so each go.mod is read, and warned about, once). */
export class ModuleResolver {
  private readonly cache = new Map<string, ModuleInfo>();

  /** `onWarning` hears about a malformed go.mod, named by `relName`. */
  constructor(
    private readonly onWarning?: (w: Warning) => void,
    private readonly relName: (path: string) => string = (p) => p,
  ) {}

  forDir(dir: string): ModuleInfo {
    const hit = this.cache.get(dir);
    if (hit) return hit;
    let info: ModuleInfo;
    let text: string | null = null;
    try {
      text = readFileSync(join(dir, 'go.mod'), 'utf8');
    } catch {
      text = null;
    }
    if (text !== null) {
      const parsed = parseGoMod(text);
      if (parsed.malformedGo) {
        const { line, version } = parsed.malformedGo;
        const what = version === '' ? 'go directive without a version' : `malformed go directive "${version}"`;
        this.onWarning?.({ file: this.relName(join(dir, 'go.mod')), line, message: `${what}; assuming go ${OLDEST_SUPPORTED_GO}` });
      }
      info = { dir, path: parsed.path, goVersion: parsed.goVersion ?? OLDEST_SUPPORTED_GO };
    } else {
      const parent = dirname(dir);
      info = parent === dir ? { dir: null, path: null, goVersion: OLDEST_SUPPORTED_GO } : this.forDir(parent);
    }
    this.cache.set(dir, info);
    return info;
  }
}

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** What the nearest go.mod says; `go` defaults to the oldest supported version. */
export interface ModuleInfo {
  /** Directory holding go.mod, or null when there is none. */
  dir: string | null;
  path: string | null;
  goVersion: string;
}

export const OLDEST_SUPPORTED_GO = '1.19';

/** Reads the `module` and `go` directives of a go.mod file's text. */
export function parseGoMod(text: string): { path: string | null; goVersion: string | null } {
  const mod = /^\s*module\s+("?)([^\s"]+)\1\s*$/m.exec(text);
  const go = /^\s*go\s+(\d+\.\d+(?:\.\d+)?)\s*$/m.exec(text);
  return { path: mod?.[2] ?? null, goVersion: go?.[1] ?? null };
}

/** Finds the go.mod governing a directory, caching lookups per directory. */
export class ModuleResolver {
  private readonly cache = new Map<string, ModuleInfo>();

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
      info = { dir, path: parsed.path, goVersion: parsed.goVersion ?? OLDEST_SUPPORTED_GO };
    } else {
      const parent = dirname(dir);
      info = parent === dir ? { dir: null, path: null, goVersion: OLDEST_SUPPORTED_GO } : this.forDir(parent);
    }
    this.cache.set(dir, info);
    return info;
  }
}

// `gomapfix --version`: the version of the package.json shipped with this build, read at run time.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The `version` of the nearest package.json above this file (dist/src/cli → the package root). */
export function packageVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'gomapfix' && pkg.version) return pkg.version;
    } catch {
      /* keep climbing */
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}

// Applies the configuration's `exclude` globs to what discovery found.
import { resolve } from 'node:path';
import type { Discovery } from '../files/discover.js';

/** The discovery without the files `excluded` matches (Go files, skipped and failed ones, left-out tests). */
export function withoutExcluded(found: Discovery, excluded: (abs: string) => boolean, cwd: string): Discovery {
  const dirs = found.dirs.map((d) => ({ ...d, files: d.files.filter((f) => !excluded(f)) })).filter((d) => d.files.length > 0);
  return {
    ...found,
    dirs,
    fileCount: dirs.reduce((n, d) => n + d.files.length, 0),
    skipped: found.skipped.filter((s) => !excluded(resolve(cwd, s.file))),
    errors: found.errors.filter((e) => !excluded(resolve(cwd, e.file))),
    excludedTests: found.excludedTests.filter((f) => !excluded(f)),
  };
}

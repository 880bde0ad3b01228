// --verify: after writing, the Go toolchain checks every touched package; a failing package's
// files are restored.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserError } from '../errors.js';
import type { PlannedFile } from '../plan/model.js';
import { restorePlannedFiles } from '../plan/write.js';

export interface PackageVerdict {
  dir: string;
  ok: boolean;
  /** The failing command and the first lines of its output. */
  failure?: string;
}

/** Throws a UserError when `go` is not on PATH. */
export function requireGo(): void {
  const r = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new UserError('--verify needs the go command on PATH (install Go or drop --verify)');
}

/** Runs go vet, go build (when the package has non-test files) and, with race, go test -race on each directory. */
export function verifyDirs(dirs: string[], options: { race?: boolean } = {}): PackageVerdict[] {
  return dirs.map((dir) => {
    const steps: string[][] = [['vet', '.']];
    if (readdirSync(dir).some((n) => n.endsWith('.go') && !n.endsWith('_test.go'))) steps.push(['build', '-o', '/dev/null', '.']);
    if (options.race) steps.push(['test', '-race', '-count=1', '.']);
    for (const args of steps) {
      const r = spawnSync('go', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GOFLAGS: [process.env.GOFLAGS, '-buildvcs=false'].filter(Boolean).join(' ') } });
      if (r.error || r.status !== 0) {
        const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(0, 8).join('\n');
        return { dir, ok: false, failure: `go ${args.join(' ')} failed:\n${output || r.error?.message || ''}` };
      }
    }
    return { dir, ok: true };
  });
}

/** The package directories of the given files (relative to root). */
export function packageDirs(files: string[], root: string): string[] {
  return [...new Set(files.map((f) => dirname(resolve(root, f))))].sort();
}

/** Verifies the packages of the written files; restores the files of each package that fails. */
export function verifyWritten(files: PlannedFile[], written: string[], root: string, options: { race?: boolean } = {}): { failed: PackageVerdict[]; restored: number } {
  const failed = verifyDirs(packageDirs(written, root), options).filter((v) => !v.ok);
  let restored = 0;
  for (const v of failed) {
    const back = files.filter((f) => written.includes(f.path) && dirname(resolve(root, f.path)) === v.dir);
    restorePlannedFiles(back, root);
    restored += back.length;
  }
  return { failed, restored };
}

// --verify: after writing, the Go toolchain checks every fixed package and every package of its
// module that imports one (a fix that changes an exported name breaks importers, not itself). When
// any check fails, every written file is restored: a fix in one package can break another.
import { dirname, relative, resolve } from 'node:path';
import { lstatSync, readdirSync, realpathSync } from 'node:fs';
import type { PlannedFile } from '../plan/model.js';
import { restorePlannedFiles } from '../plan/write.js';
import { ModuleResolver } from '../files/gomod.js';
import { firstLines, listModulePackages, realDir } from './module-packages.js';
import { runGo } from './go-command.js';

export { requireGo } from './go-command.js';

/** One package --verify checks. */
export interface VerifiedPackage {
  /** Import path, or the directory relative to the root when the package is outside any module. */
  name: string;
  /** Where the go command runs, and the package argument it gets there. */
  cwd: string;
  arg: string;
  buildable: boolean;
  role: 'fixed' | 'importer';
  /** For an importer: the fixed packages it depends on. */
  imports?: string[];
}

export interface VerifyReport {
  ok: boolean;
  packages: VerifiedPackage[];
  /** What failed: the package (absent when listing the module failed), the command and its first output lines. */
  failure?: { pkg?: VerifiedPackage; message: string };
  restored: number;
  /** Written files that could not be put back. */
  unrestored: { file: string; message: string }[];
  /** One line for the user: what was verified and the result. */
  line: string;
}

export interface VerifyOptions {
  race?: boolean;
  /** Called before each package is checked (1-based). */
  onProgress?: (done: number, total: number, name: string) => void;
}

/** Verifies the fixed packages and their importers; restores every written file when a check fails. */
export function verifyWritten(files: PlannedFile[], written: string[], root: string, options: VerifyOptions = {}): VerifyReport {
  const writtenFiles = files.filter((f) => written.includes(f.path));
  const selected = packagesToVerify(writtenFiles, root);
  const packages = 'packages' in selected ? selected.packages : [];
  let failure: VerifyReport['failure'] = 'error' in selected ? { message: selected.error } : undefined;
  for (let i = 0; !failure && i < packages.length; i++) {
    const pkg = packages[i]!;
    options.onProgress?.(i + 1, packages.length, pkg.name);
    for (const args of steps(pkg, !!options.race)) {
      const run = runGo([...args, pkg.arg], pkg.cwd);
      if (!run.ok) {
        failure = { pkg, message: `go ${args.join(' ')} ${pkg.arg} failed:\n${firstLines(run.output)}` };
        break;
      }
    }
  }
  const fixed = packages.filter((p) => p.role === 'fixed').length;
  const importers = packages.length - fixed;
  if (!failure) {
    const what = `${packages.length} package${packages.length === 1 ? '' : 's'} (${fixed} fixed, ${importers} importer${importers === 1 ? '' : 's'})`;
    return { ok: true, packages, restored: 0, unrestored: [], line: `verified ${what}: ${options.race ? 'go vet, go build and go test -race' : 'go vet and go build'} passed` };
  }
  const unrestored = restorePlannedFiles(writtenFiles, root);
  const restored = writtenFiles.length - unrestored.length;
  const where = failure.pkg ? ` in ${failure.pkg.name}${failure.pkg.role === 'importer' ? ` (imports fixed package${failure.pkg.imports!.length === 1 ? '' : 's'} ${failure.pkg.imports!.join(', ')})` : ''}` : '';
  const line = `verification failed${where}: restored ${restored} file${restored === 1 ? '' : 's'}${unrestored.length ? `, ${unrestored.length} not restored (below)` : ''}`;
  return { ok: false, packages, failure, restored, unrestored, line };
}

function steps(pkg: VerifiedPackage, race: boolean): string[][] {
  const out = [['vet']];
  if (pkg.buildable) out.push(['build', '-o', '/dev/null']);
  if (race && pkg.role === 'fixed') out.push(['test', '-race', '-count=1']);
  return out;
}

/**
 * The fixed packages (the directories of the written files and of their symbolic links' targets),
 * then, per module, every package whose build or tests depend on one of them.
 */
export function packagesToVerify(writtenFiles: PlannedFile[], root: string): { packages: VerifiedPackage[] } | { error: string } {
  const dirs = new Set<string>();
  for (const f of writtenFiles) {
    const abs = resolve(root, f.path);
    dirs.add(realDir(dirname(abs)));
    try {
      if (lstatSync(abs).isSymbolicLink()) dirs.add(dirname(realpathSync(abs)));
    } catch {
      /* verification reports what is wrong with the file */
    }
  }
  const modules = new ModuleResolver();
  const byModule = new Map<string | null, string[]>();
  for (const d of [...dirs].sort()) {
    const m = modules.forDir(d).dir;
    byModule.set(m, [...(byModule.get(m) ?? []), d]);
  }
  const fixed: VerifiedPackage[] = [];
  const importers: VerifiedPackage[] = [];
  for (const [moduleDir, fixedDirs] of byModule) {
    const listed = moduleDir ? listModulePackages(moduleDir) : null;
    if (listed && 'error' in listed) return { error: listed.error };
    const pkgs = listed?.packages ?? [];
    const fixedPaths = new Set<string>();
    for (const d of fixedDirs) {
      const p = pkgs.find((x) => x.dir === d);
      if (p) {
        fixedPaths.add(p.importPath);
        fixed.push({ name: p.importPath, cwd: moduleDir!, arg: p.importPath, buildable: p.buildable, role: 'fixed' });
      } else {
        // Outside any module, or a directory go list does not see (build constraints exclude every file).
        fixed.push({ name: relative(root, d) || '.', cwd: d, arg: '.', buildable: hasNonTestGoFiles(d), role: 'fixed' });
      }
    }
    for (const p of pkgs) {
      if (fixedPaths.has(p.importPath)) continue;
      const imports = [...fixedPaths].filter((x) => p.deps.has(x)).sort();
      if (imports.length > 0) importers.push({ name: p.importPath, cwd: moduleDir!, arg: p.importPath, buildable: p.buildable, role: 'importer', imports });
    }
  }
  const byName = (a: VerifiedPackage, b: VerifiedPackage) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return { packages: [...fixed.sort(byName), ...importers.sort(byName)] };
}

function hasNonTestGoFiles(dir: string): boolean {
  try {
    return readdirSync(dir).some((n) => n.endsWith('.go') && !n.endsWith('_test.go'));
  } catch {
    return true; // let go build say what is wrong
  }
}

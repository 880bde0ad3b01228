// The packages of a Go module and what each depends on, from `go list -test`, so --verify can
// check the packages that import a fixed one: a fix that changes an exported name breaks them.
import { realpathSync } from 'node:fs';
import { runGo } from './go-command.js';

export interface ModulePackage {
  importPath: string;
  /** Real path of the package directory. */
  dir: string;
  /** Whether the package has non-test files (go build has something to build). */
  buildable: boolean;
  /** Import paths its build or its tests depend on, directly or not. */
  deps: Set<string>;
}

// One line per package and per test variant: "p [p.test]" carries the test files' dependencies.
const FORMAT = '{{.ImportPath}}\t{{.ForTest}}\t{{.Dir}}\t{{len .GoFiles}}\t{{len .CgoFiles}}\t{{join .Deps ","}}';

/** Lists the packages of the module rooted at `moduleDir`, or says why `go list` failed. */
export function listModulePackages(moduleDir: string): { packages: ModulePackage[] } | { error: string } {
  const run = runGo(['list', '-e', '-test', '-f', FORMAT, './...'], moduleDir);
  if (!run.ok) return { error: `go list -test ./... in ${moduleDir} failed:\n${firstLines(run.output)}` };
  const byPath = new Map<string, ModulePackage>();
  for (const line of run.stdout.split('\n')) {
    if (!line) continue;
    const [importPath = '', forTest = '', dir = '', goFiles = '0', cgoFiles = '0', deps = ''] = line.split('\t');
    const variant = importPath.includes(' [');
    // The generated test main ("p.test") is no package of the module.
    if (!variant && !forTest && importPath.endsWith('.test')) continue;
    const owner = forTest || importPath;
    const pkg = byPath.get(owner) ?? { importPath: owner, dir: realDir(dir), buildable: false, deps: new Set<string>() };
    if (!variant) pkg.buildable = Number(goFiles) + Number(cgoFiles) > 0;
    for (const d of deps.split(',')) if (d) pkg.deps.add(d.replace(/ \[.*$/, ''));
    byPath.set(owner, pkg);
  }
  return { packages: [...byPath.values()] };
}

export function realDir(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return dir;
  }
}

/** The first lines of a command's output: enough to see the error. */
export function firstLines(text: string, n = 8): string {
  return text.split('\n').slice(0, n).join('\n');
}

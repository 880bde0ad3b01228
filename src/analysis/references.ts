// Functions nothing refers to (docs/confidence.md, "Nothing calls it").
//
// A race needs both accesses to run. When every racing pair of a finding has one access in a
// function that only the scan's modules can call (unexported, or exported from a `main`,
// `internal/` or `cmd/` package: src/analysis/confidence.ts, functionsOfEveryRace) and no code
// there names it but its own declaration (no call, no method value, no interface that lists it), the race
// needs code the scan does not see. The finding is low.
//
// The analysis works one package at a time, so it only marks the finding with that function's
// name (Finding.onlyIn); demoteUncalled looks the name up in the text of every Go file of the
// modules the scanned packages belong to (a scan of one directory sees the same callers as a scan
// of the whole module), and of the scanned files themselves.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding } from './model.js';
import { SKIPPED_DIRS } from '../files/discover.js';

/** Names the Go toolchain or `go test` calls without any code naming them. */
const CALLED_BY_TOOLCHAIN = /^(main|init|(Test|Benchmark|Fuzz|Example)([A-Z_0-9].*)?)$/;

/** Whether a function named `name` can be called without code of the package naming it. */
export function calledImplicitly(name: string): boolean {
  return CALLED_BY_TOOLCHAIN.test(name);
}

/**
 * Answers, over the code of a set of files (comments left out, except `//go:` and `//export`
 * directives, which name functions for the linker and cgo), whether a name is used anywhere other
 * than in its own `func` declarations. The texts are read once, when the first name is asked for.
 */
export class NameReferences {
  private readonly known = new Map<string, boolean>();
  private texts: string[] | null = null;

  constructor(private readonly load: () => Iterable<string>) {}

  /**
   * Whether code other than a `func` declaration of `name` names it. For a `method`, a line that
   * starts with the name and its parameters is an interface's method list, not a use: a method is
   * called on a value (`x.Name(…)`), never by its bare name.
   */
  referenced(name: string, method = false): boolean {
    const key = method ? `${name}()` : name;
    const hit = this.known.get(key);
    if (hit !== undefined) return hit;
    this.texts ??= [...this.load()];
    const word = new RegExp(`\\b${name}\\b`, 'g');
    const func = `func\\s*(\\([^)]*\\)\\s*)?`;
    const decl = new RegExp(`^\\s*${method ? `(${func})?` : func}${name}\\s*[[(]`);
    let found = false;
    for (const text of this.texts) {
      if (!text.includes(name)) continue;
      for (const line of codeLines(text)) {
        const uses = line.match(word)?.length ?? 0;
        if (uses > (decl.test(line) ? 1 : 0)) {
          found = true;
          break;
        }
      }
      if (found) break;
    }
    this.known.set(key, found);
    return found;
  }
}

/** The lines of a Go file without its whole-line comments (directives kept). */
function* codeLines(text: string): Generator<string> {
  let inBlock = false;
  for (const line of text.split('\n')) {
    const t = line.trimStart();
    if (inBlock) {
      const end = line.indexOf('*/');
      if (end < 0) continue;
      inBlock = false;
      yield line.slice(end + 2);
      continue;
    }
    if (t.startsWith('//')) {
      if (t.startsWith('//go:') || t.startsWith('//export ')) yield t;
      continue;
    }
    if (t.startsWith('/*')) {
      const end = t.indexOf('*/', 2);
      if (end < 0) {
        inBlock = true;
        continue;
      }
      yield t.slice(end + 2);
      continue;
    }
    yield line;
  }
}

/**
 * Makes low each high finding whose races all need one of its functions nothing names
 * (Finding.onlyIn), and each that is high only because a function takes the map's lock itself
 * when nothing names that function (Finding.ownLockIn), and drops the marks. `refs` answers for
 * the files of the whole scan.
 */
export function demoteUncalled(findings: Finding[], refs: NameReferences): void {
  for (const f of findings) {
    // High because a function takes the map's lock itself: evidence of concurrency only if
    // something calls that function (an exported method no code names is an API nothing uses).
    const own = f.ownLockIn;
    delete f.ownLockIn;
    if (own !== undefined && f.confidence === 'high' && !own.names.some((n) => refs.referenced(n, own.methods.includes(n)))) {
      f.confidence = 'low';
      f.confidenceReason = `${own.reason} (${own.names.join(' and ')} ${own.names.length === 1 ? 'takes' : 'take'} the lock itself, but nothing in the scanned modules calls ${own.names.length === 1 ? 'it' : 'them'})`;
    }
    const names = f.onlyIn;
    if (names === undefined) continue;
    delete f.onlyIn;
    if (f.confidence !== 'high') continue;
    const name = names.find((n) => !refs.referenced(n));
    if (name === undefined) continue;
    f.confidence = 'low';
    f.confidenceReason = `nothing in the scanned modules calls ${name} or refers to it (only its declaration names it), and every racing pair of this finding has an access in it: the race needs code to call it, which the scan does not see`;
  }
}

/** The texts of the files at `paths`, those that can be read (for NameReferences). */
export function* readTexts(paths: Iterable<string>): Generator<string> {
  for (const p of paths) {
    try {
      yield readFileSync(p, 'utf8');
    } catch {
      // An unreadable file is reported by the scan itself; it names nothing here.
    }
  }
}

/**
 * The `.go` files under the module roots given (in the directories discovery would enter), each
 * once, with the files given too: what NameReferences reads for a scan.
 */
export function moduleGoFiles(roots: Iterable<string>, files: Iterable<string>): string[] {
  const out = new Set<string>(files);
  const seen = new Set<string>();
  const walk = (dir: string) => {
    if (seen.has(dir)) return;
    seen.add(dir);
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory()) {
        if (!SKIPPED_DIRS.has(e.name) && !e.name.startsWith('.') && !e.name.startsWith('_')) walk(join(dir, e.name));
      } else if (e.isFile() && e.name.endsWith('.go')) out.add(join(dir, e.name));
    }
  };
  for (const r of roots) walk(r);
  return [...out];
}

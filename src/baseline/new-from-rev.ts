// --new-from-rev REF: the lines added or changed since REF (git diff REF against the working tree,
// plus untracked files), and whether a finding touches one. See docs/baselines.md.
import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../errors.js';

/** Added or changed lines (1-based) by absolute, real file path; `'all'` for an untracked file. */
export type ChangedLines = Map<string, Set<number> | 'all'>;

/** A finding as far as the filter reads it: its place and its evidence, files relative to cwd. */
export interface PlacedFinding {
  file: string;
  line: number;
  evidence: readonly { file: string; line: number }[];
}

/** The lines of the working tree that differ from REF in the git repository holding `cwd`. */
export function changedSince(ref: string, cwd: string): ChangedLines {
  const top = git(['rev-parse', '--show-toplevel'], cwd, `--new-from-rev needs a git repository`).trim();
  // `REF^{commit}` refuses a name that is not a commit before the diff would say something vaguer.
  git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], top, `--new-from-rev ${ref}: not a commit in this repository`);
  const diff = git(['diff', '--no-color', '--no-ext-diff', '--no-renames', '--unified=0', '--end-of-options', ref, '--'], top, `--new-from-rev ${ref}: git diff failed`);
  const changed: ChangedLines = new Map();
  let file: string | null = null;
  for (const line of diff.split('\n')) {
    if (line.startsWith('+++ ')) {
      const name = line.slice(4);
      file = name === '/dev/null' ? null : real(join(top, unquote(name).replace(/^b\//, '')));
      continue;
    }
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (!hunk || !file) continue;
    const start = Number(hunk[1]);
    const count = hunk[2] === undefined ? 1 : Number(hunk[2]);
    let set = changed.get(file);
    if (set === 'all') continue;
    if (!set) changed.set(file, (set = new Set()));
    for (let l = start; l < start + count; l++) set.add(l);
  }
  // Untracked files are new in every line (golangci-lint's revgrep does the same).
  const untracked = git(['ls-files', '--others', '--exclude-standard', '-z'], top, `--new-from-rev: git ls-files failed`);
  for (const name of untracked.split('\0').filter(Boolean)) changed.set(real(join(top, name)), 'all');
  return changed;
}

/** Whether a finding's line, or a line of its evidence, was added or changed. */
export function touchesChange(f: PlacedFinding, changed: ChangedLines, cwd: string): boolean {
  const places = [{ file: f.file, line: f.line }, ...f.evidence];
  return places.some((p) => {
    const lines = changed.get(real(resolve(cwd, p.file)));
    return lines === 'all' || !!lines?.has(p.line);
  });
}

function git(args: string[], cwd: string, what: string): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw new UserError(`${what}: cannot run git: ${(r.error as NodeJS.ErrnoException).code ?? r.error.message}`);
  if (r.status !== 0) {
    const said = (r.stderr ?? '').split('\n').find((l) => l.trim() !== '')?.trim();
    throw new UserError(said ? `${what} (git: ${said.replace(/^fatal: /, '')})` : what);
  }
  return r.stdout;
}

/** git quotes names with unusual characters in C style: `"b/a\tb.go"`. */
function unquote(name: string): string {
  if (!name.startsWith('"')) return name;
  const bytes: number[] = [];
  const body = name.slice(1, -1);
  const esc: Record<string, number> = { n: 10, t: 9, r: 13, b: 8, f: 12, v: 11, a: 7, '"': 34, '\\': 92 };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      bytes.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const next = body[++i]!;
    if (/[0-7]/.test(next)) {
      bytes.push(parseInt(body.slice(i, i + 3), 8));
      i += 2;
    } else bytes.push(esc[next] ?? next.charCodeAt(0));
  }
  return Buffer.from(bytes).toString('utf8');
}

const realCache = new Map<string, string>();

function real(p: string): string {
  let r = realCache.get(p);
  if (r === undefined) {
    try {
      r = realpathSync(p);
    } catch {
      r = p;
    }
    realCache.set(p, r);
  }
  return r;
}

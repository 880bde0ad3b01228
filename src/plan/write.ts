// Writing a Plan's files, a package at a time and a package whole or not at all: every file of a
// package is checked (src/plan/write-check.ts) before any of them is written, so a refused file
// never leaves its package half rewritten (say, without the helper type another file now uses).
// Each write is atomic and keeps the file's mode, owner, line endings (kept in the text) and BOM.
import { lstatSync, readFileSync, realpathSync, unlinkSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import type { PlannedFile } from './model.js';
import { describeFsError } from '../files/discover.js';
import { checkWrite, type WriteCheck, type WriteTarget } from './write-check.js';
import { createExclusive, removeStaleTemps, writeAtomic } from './atomic-write.js';

/** A package none of whose files was written, because one of them was refused. */
export interface RefusedPackage {
  /** The package's directory, relative to the root ('.' for the root itself). */
  dir: string;
  /** The file that was refused, and why. */
  cause: { file: string; message: string };
  /** Every planned file of the package (none written). */
  files: string[];
}

export interface WriteOutcome {
  written: string[];
  /** Every planned file not written, and why: the cause of its package's refusal, or that cause named. */
  refused: { file: string; message: string }[];
  packages: RefusedPackage[];
  /** Temp files of an interrupted earlier run, removed from the directories written. */
  removedTemps: string[];
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export function startsWithBom(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

/** A file's text as bytes, with a BOM in front when the file has one. */
export function fileBytes(text: string, bom: boolean): Buffer {
  const body = Buffer.from(text, 'utf8');
  return bom ? Buffer.concat([BOM, body]) : body;
}

/**
 * Writes the planned files, package (directory) by package. A package is written only when every
 * one of its files still hashes to the scan, is writable, and is a regular file or a symbolic link
 * to one inside `root`; otherwise none of its files is written and the package is reported.
 */
export function writePlannedFiles(files: PlannedFile[], root: string): WriteOutcome {
  const out: WriteOutcome = { written: [], refused: [], packages: [], removedTemps: [] };
  const realRoot = realPath(root);
  const checks = new Map<PlannedFile, WriteCheck>(files.map((f) => [f, checkWrite(f, root, realRoot)]));
  refuseDisagreeingAliases(checks);
  const byDir = new Map<string, PlannedFile[]>();
  for (const f of files) {
    const dir = dirname(resolve(root, f.path));
    byDir.set(dir, [...(byDir.get(dir) ?? []), f]);
  }
  const refusePackage = (dir: string, pkg: PlannedFile[], cause: { file: string; message: string }) => {
    out.packages.push({ dir: relative(root, dir) || '.', cause, files: pkg.map((f) => f.path) });
    out.refused.push(cause);
    for (const f of pkg) if (f.path !== cause.file) out.refused.push({ file: f.path, message: `not written: ${cause.file} in the same package was refused` });
  };
  const swept = new Set<string>();
  const writtenTargets = new Set<string>();
  for (const [dir, pkg] of [...byDir].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const bad = pkg.find((f) => !checks.get(f)!.ok);
    if (bad) {
      refusePackage(dir, pkg, { file: bad.path, message: (checks.get(bad) as { message: string }).message });
      continue;
    }
    const targets = pkg.map((f) => (checks.get(f) as { target: WriteTarget }).target);
    const done: WriteTarget[] = [];
    let failure: { file: string; message: string } | null = null;
    for (const t of targets) {
      try {
        const tdir = dirname(t.target);
        if (!swept.has(tdir)) {
          swept.add(tdir);
          out.removedTemps.push(...removeStaleTemps(tdir));
        }
        // A link and its target planned alike: the file is written once.
        if (t.created) createExclusive(t.target, fileBytes(t.file.after, false));
        else if (!writtenTargets.has(t.target)) writeAtomic(t.target, fileBytes(t.file.after, startsWithBom(t.original)));
        done.push(t);
      } catch (err) {
        failure = { file: t.file.path, message: `cannot be written: ${describeFsError(err)}` };
        break;
      }
    }
    if (failure) {
      // Checked but failed while writing (disk full, a file replaced meanwhile): put back what was written.
      const stuck = rollBack(done);
      refusePackage(dir, pkg, stuck.length > 0 ? { ...failure, message: `${failure.message}; and could not put back ${stuck.join(', ')}` } : failure);
      continue;
    }
    for (const t of done) writtenTargets.add(t.target);
    out.written.push(...pkg.map((f) => f.path));
  }
  return out;
}

/** Two planned paths that reach one file (a symbolic link and its target) must agree on its text. */
function refuseDisagreeingAliases(checks: Map<PlannedFile, WriteCheck>): void {
  const byTarget = new Map<string, PlannedFile[]>();
  for (const [f, c] of checks) if (c.ok) byTarget.set(c.target.target, [...(byTarget.get(c.target.target) ?? []), f]);
  for (const same of byTarget.values()) {
    if (same.every((f) => f.after === same[0]!.after)) continue;
    for (const f of same) {
      const others = same.filter((o) => o !== f).map((o) => o.path).join(', ');
      checks.set(f, { ok: false, message: `is the same file as ${others} (a symbolic link), which the plan rewrites differently; not written` });
    }
  }
}

/** Puts back the original bytes of `done`; returns the files it could not put back. */
function rollBack(done: WriteTarget[]): string[] {
  const stuck: string[] = [];
  for (const t of done) {
    try {
      if (t.created) unlinkSync(t.target);
      else writeAtomic(t.target, t.original);
    } catch {
      stuck.push(t.file.path);
    }
  }
  return stuck;
}

/**
 * Puts back the scanned text of written files (after a failed verification), through symbolic
 * links, keeping their BOM; a file edited since it was written is left alone. Returns the files
 * not put back, and why.
 */
export function restorePlannedFiles(files: PlannedFile[], root: string): { file: string; message: string }[] {
  const failed: { file: string; message: string }[] = [];
  const restored = new Set<string>();
  for (const f of files) {
    try {
      const abs = resolve(root, f.path);
      const target = lstatSync(abs).isSymbolicLink() ? realpathSync(abs) : abs;
      if (restored.has(target)) continue;
      const now = readFileSync(target);
      const bom = startsWithBom(now);
      // Someone edited it while it was verified: their text wins over the scan's.
      if (!now.equals(fileBytes(f.after, bom))) {
        failed.push({ file: f.path, message: 'changed after it was written; not restored, it keeps the newer text' });
        continue;
      }
      // A file the plan created did not exist before: restoring it is removing it.
      if (f.created) unlinkSync(target);
      else writeAtomic(target, fileBytes(f.before, bom));
      restored.add(target);
    } catch (err) {
      failed.push({ file: f.path, message: `could not be restored: ${describeFsError(err)}` });
    }
  }
  return failed;
}

function realPath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
}

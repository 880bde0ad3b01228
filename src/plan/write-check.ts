// The first phase of writing a planned file: everything that can refuse it is checked before any
// file of its package is written (src/plan/write.ts).
import { accessSync, constants, lstatSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, resolve, sep } from 'node:path';
import { createHash } from 'node:crypto';
import type { PlannedFile } from './model.js';
import { describeFsError } from '../files/discover.js';

/** A planned file cleared for writing. */
export interface WriteTarget {
  file: PlannedFile;
  /** The regular file that receives the bytes: the planned path, or the target of its symbolic link. */
  target: string;
  /** The bytes on disk now; they hash to the scan's sha256 (empty for a file the plan creates). */
  original: Buffer;
  /** A new file (gomapfix_helpers.go): created exclusively, never replacing one. */
  created?: boolean;
}

export type WriteCheck = { ok: true; target: WriteTarget } | { ok: false; message: string };

/** Whether `path` is `root` or lies under it (both real paths). */
export function isWithin(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * Checks that `file` can be replaced as planned: it resolves to a regular file inside `realRoot`
 * (a symbolic link is written through to its target, never replaced), its bytes still match the
 * scan, it and its directory are writable, and the rewrite can keep its owner and group.
 */
export function checkWrite(file: PlannedFile, root: string, realRoot: string): WriteCheck {
  const refuse = (message: string): WriteCheck => ({ ok: false, message });
  const abs = resolve(root, file.path);
  if (file.created) return checkCreate(file, abs, realRoot);
  let target = abs;
  try {
    const real = realpathSync(abs);
    if (lstatSync(abs).isSymbolicLink()) {
      target = real;
      if (!isWithin(realRoot, target)) return refuse(`is a symbolic link to a file outside the scanned root (${target}); not written`);
    } else if (!isWithin(realRoot, real)) {
      // A linked directory on the way: the rename would land outside the root all the same.
      return refuse(`is reached through a symbolic link to a directory outside the scanned root (${dirname(real)}); not written`);
    }
    const st = statSync(target);
    if (!st.isFile()) return refuse('is not a regular file; not written');
    // Renaming a new file over one of several hard links would leave the others with the old text.
    if (st.nlink > 1) return refuse(`has ${st.nlink} hard links; replacing it would split them, so it is not written`);
    const original = readFileSync(target);
    if (createHash('sha256').update(original).digest('hex') !== file.sha256) return refuse('changed since it was scanned; not overwritten (run fix again)');
    const owner = ownerProblem(st.uid, st.gid);
    if (owner) return refuse(owner);
    accessSync(target, constants.W_OK);
    try {
      accessSync(dirname(target), constants.W_OK); // the temp file is created beside the target
    } catch (err) {
      return refuse(`cannot be written: its directory ${dirname(target)}: ${describeFsError(err)}`);
    }
    return { ok: true, target: { file, target, original } };
  } catch (err) {
    return refuse(`cannot be written: ${describeFsError(err)}`);
  }
}

/** A file the plan creates: nothing is at its path yet, and its directory is inside the root and writable. */
function checkCreate(file: PlannedFile, abs: string, realRoot: string): WriteCheck {
  const refuse = (message: string): WriteCheck => ({ ok: false, message });
  try {
    lstatSync(abs);
    return refuse('was created since the scan; not overwritten (run fix again)');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return refuse(`cannot be written: ${describeFsError(err)}`);
  }
  try {
    const dir = realpathSync(dirname(abs));
    if (!isWithin(realRoot, dir)) return refuse(`would be created through a symbolic link to a directory outside the scanned root (${dir}); not written`);
    accessSync(dir, constants.W_OK);
    return { ok: true, target: { file, target: resolve(dir, basename(abs)), original: Buffer.alloc(0), created: true } };
  } catch (err) {
    return refuse(`cannot be created: ${describeFsError(err)}`);
  }
}

/** Why a replacement written by this process could not keep the file's owner and group, or null. */
function ownerProblem(uid: number, gid: number): string | null {
  const me = process.getuid?.();
  if (me === undefined || me === 0) return null; // no owners (Windows), or root can chown
  if (uid !== me) return `is owned by uid ${uid}; rewriting it would make it yours, so it is not written (run as its owner or as root)`;
  const groups = new Set([process.getgid?.(), ...(process.getgroups?.() ?? [])]);
  if (!groups.has(gid)) return `belongs to group ${gid}, which you are not in; rewriting it would change its group, so it is not written`;
  return null;
}

// Replacing one file atomically (temp file beside it + rename), keeping its mode and owner, and
// sweeping the temp files an interrupted run left behind.
import { closeSync, fchmodSync, fchownSync, fsyncSync, linkSync, lstatSync, openSync, readdirSync, renameSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** `.<name>.go.gomapfix-<pid>-<hex>.tmp`: the temp file writeAtomic puts beside `<name>.go`. */
const TEMP_NAME = /^\.(.+\.go)\.gomapfix-(\d+)-([0-9a-f]{8})\.tmp$/;

/** When this process started: a temp file with our pid but older than this is a previous process's. */
const STARTED_MS = Date.now() - process.uptime() * 1000;

function tempPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.gomapfix-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Writes `bytes` to a temp file beside `path`, with path's mode, owner and group,
 * then renames it over path. `path` must be a regular file, not a symbolic link: resolve links first.
 */
export function writeAtomic(path: string, bytes: Uint8Array): void {
  const was = statSync(path);
  const mode = was.mode & 0o7777;
  const tmp = tempPath(path);
  const fd = openSync(tmp, 'wx', mode);
  try {
    // A new file belongs to its writer (root, say) and the directory's group: give it the original's
    // owner and group before it replaces the original. checkWrite refuses files whose owner we cannot keep.
    if (process.getuid) fchownSync(fd, was.uid, was.gid);
    fchmodSync(fd, mode); // open() applies the umask, and chown clears setuid bits: the file keeps its own mode
    writeSync(fd, bytes);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkSync(tmp);
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (err) {
    unlinkSync(tmp);
    throw err;
  }
}

/**
 * Creates a new file at `path` with `bytes`, failing (EEXIST) when something is there already:
 * written to a temp file first, then hard-linked into place, so it appears whole or not at all.
 */
export function createExclusive(path: string, bytes: Uint8Array): void {
  const tmp = tempPath(path);
  try {
    const fd = openSync(tmp, 'wx');
    try {
      writeSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    linkSync(tmp, path);
  } finally {
    rmSync(tmp, { force: true }); // gone already when openSync failed
  }
}

function isLive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by someone else
  }
}

/**
 * Removes the temp files of writeAtomic in `dir` that no running process can still be writing:
 * made before this process started, by a pid that is gone (or is ours now: a reused pid).
 * Returns the paths removed; a file that cannot be removed is left (best effort).
 */
export function removeStaleTemps(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (!m) continue;
    const path = join(dir, name);
    try {
      const st = lstatSync(path);
      if (!st.isFile()) continue;
      // A temp file lives only between its creation and its rename: one made after this process
      // started may belong to a run still writing (even one in another pid namespace).
      if (st.mtimeMs >= STARTED_MS) continue;
      const pid = Number(m[2]);
      if (pid !== process.pid && isLive(pid)) continue;
      unlinkSync(path);
      removed.push(path);
    } catch {
      /* gone meanwhile, or not ours to remove */
    }
  }
  return removed;
}

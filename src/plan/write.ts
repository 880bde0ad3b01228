// Writing a Plan's files: atomic (temp file + rename), refusing files changed since the scan,
// keeping the file mode, the line endings (kept in the text) and a BOM.
import { closeSync, fchmodSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes, createHash } from 'node:crypto';
import type { PlannedFile } from './model.js';
import { describeFsError } from '../files/discover.js';

export interface WriteOutcome {
  written: string[];
  refused: { file: string; message: string }[];
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

/** Writes each planned file whose bytes on disk still hash to the scanned sha256. */
export function writePlannedFiles(files: PlannedFile[], root: string): WriteOutcome {
  const out: WriteOutcome = { written: [], refused: [] };
  for (const f of files) {
    const abs = resolve(root, f.path);
    try {
      if (f.created) {
        createExclusive(abs, fileBytes(f.after, false));
        out.written.push(f.path);
        continue;
      }
      const now = readFileSync(abs);
      if (createHash('sha256').update(now).digest('hex') !== f.sha256) {
        out.refused.push({ file: f.path, message: 'changed since it was scanned; not overwritten (run fix again)' });
        continue;
      }
      writeAtomic(abs, fileBytes(f.after, startsWithBom(now)));
      out.written.push(f.path);
    } catch (err) {
      const exists = f.created && (err as NodeJS.ErrnoException).code === 'EEXIST';
      out.refused.push({ file: f.path, message: exists ? 'was created since the scan; not overwritten (run fix again)' : `cannot write: ${describeFsError(err)}` });
    }
  }
  return out;
}

/** Puts back the scanned text of written files (after a failed verification), keeping their BOM. */
export function restorePlannedFiles(files: PlannedFile[], root: string): void {
  for (const f of files) {
    const abs = resolve(root, f.path);
    if (f.created) unlinkSync(abs);
    else writeAtomic(abs, fileBytes(f.before, startsWithBom(readFileSync(abs))));
  }
}

/** Writes `bytes` to a temp file beside `path` with path's mode, then renames it over path. */
export function writeAtomic(path: string, bytes: Uint8Array): void {
  const mode = statSync(path).mode & 0o7777;
  const tmp = join(dirname(path), `.${basename(path)}.gomapfix-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', mode);
  try {
    fchmodSync(fd, mode); // open() applies the umask; the file keeps its own mode
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
  const tmp = join(dirname(path), `.${basename(path)}.gomapfix-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
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

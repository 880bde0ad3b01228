// Writing a Plan's files: atomic (temp file + rename), refusing files changed since the scan,
// keeping the file mode, the line endings (kept in the text) and a BOM.
import { closeSync, fchmodSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes, createHash } from 'node:crypto';
import type { PlannedFile } from './model.js';
import { describeFsError } from '../files/discover.js';

export interface WriteOutcome {
  written: string[];
  refused: { file: string; message: string }[];
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Writes each planned file whose bytes on disk still hash to the scanned sha256. */
export function writePlannedFiles(files: PlannedFile[], root: string): WriteOutcome {
  const out: WriteOutcome = { written: [], refused: [] };
  for (const f of files) {
    const abs = resolve(root, f.path);
    try {
      const now = readFileSync(abs);
      if (createHash('sha256').update(now).digest('hex') !== f.sha256) {
        out.refused.push({ file: f.path, message: 'changed since it was scanned; not overwritten (run fix again)' });
        continue;
      }
      const hasBom = now.length >= 3 && now[0] === 0xef && now[1] === 0xbb && now[2] === 0xbf;
      const body = Buffer.from(f.after, 'utf8');
      writeAtomic(abs, hasBom ? Buffer.concat([BOM, body]) : body);
      out.written.push(f.path);
    } catch (err) {
      out.refused.push({ file: f.path, message: `cannot write: ${describeFsError(err)}` });
    }
  }
  return out;
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

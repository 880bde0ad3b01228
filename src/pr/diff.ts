// A pull request's change as `git diff` prints it: per file, the hunks and the added lines of the head side.

/** One `@@ -a,b +c,d @@` hunk: lines [newStart, newStart + newLines) of the head file are in the diff. */
export interface DiffHunk {
  newStart: number;
  newLines: number;
  /** Head lines this hunk adds (`+` lines). */
  added: number[];
}

export interface ChangedFile {
  /** Path in the head revision ('/'-separated, relative to the repository root); the old path for a deleted file. */
  path: string;
  status: 'added' | 'modified' | 'deleted' | 'renamed';
  hunks: DiffHunk[];
}

/** Parses the output of `git diff` (unified, no colour) into its files and hunks. */
export function parseUnifiedDiff(text: string): ChangedFile[] {
  const files: ChangedFile[] = [];
  let file: ChangedFile | null = null;
  let hunk: DiffHunk | null = null;
  let newLine = 0;
  let oldPath = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('diff --git ')) {
      file = { path: '', status: 'modified', hunks: [] };
      files.push(file);
      hunk = null;
      oldPath = '';
      // Until the ---/+++ lines (absent for a pure rename or a binary file), take the b/ side of the header.
      const m = /^diff --git (?:"?a\/(.*?)"?) (?:"?b\/(.*?)"?)$/.exec(line);
      if (m) file.path = unquote(m[2]!);
      continue;
    }
    if (!file) continue;
    if (hunk && (line.startsWith('+') || line.startsWith('-') || line.startsWith(' ') || line.startsWith('\\'))) {
      if (line.startsWith('+')) hunk.added.push(newLine++);
      else if (line.startsWith(' ')) newLine++;
      continue;
    }
    const h = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (h) {
      const start = Number(h[1]);
      const count = h[2] === undefined ? 1 : Number(h[2]);
      hunk = { newStart: start, newLines: count, added: [] };
      file.hunks.push(hunk);
      newLine = start;
      continue;
    }
    if (line.startsWith('new file mode')) file.status = 'added';
    else if (line.startsWith('deleted file mode')) file.status = 'deleted';
    else if (line.startsWith('rename to ')) {
      file.status = 'renamed';
      file.path = unquote(line.slice('rename to '.length));
    } else if (line.startsWith('--- ')) {
      oldPath = stripSide(line.slice(4), 'a/');
    } else if (line.startsWith('+++ ')) {
      const p = stripSide(line.slice(4), 'b/');
      if (p === '/dev/null') {
        file.status = 'deleted';
        file.path = oldPath;
      } else file.path = p;
    }
  }
  return files;
}

/** Whether head line `line` of the file is shown in one of its hunks (added or context). */
export function hunkOf(file: ChangedFile, line: number): DiffHunk | undefined {
  return file.hunks.find((h) => line >= h.newStart && line < h.newStart + h.newLines);
}

export function isAdded(file: ChangedFile, line: number): boolean {
  return file.hunks.some((h) => h.added.includes(line));
}

function stripSide(p: string, side: 'a/' | 'b/'): string {
  const path = unquote(p.replace(/\t.*$/, ''));
  return path.startsWith(side) ? path.slice(2) : path;
}

/** git quotes a path with unusual characters as a C string ("a/t\303\244st.go"). */
function unquote(p: string): string {
  if (!p.startsWith('"') || !p.endsWith('"')) return p;
  const bytes: number[] = [];
  const body = p.slice(1, -1);
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
    } else bytes.push(({ n: 10, t: 9, '"': 34, '\\': 92 } as Record<string, number>)[next] ?? next.charCodeAt(0));
  }
  return Buffer.from(bytes).toString('utf8');
}

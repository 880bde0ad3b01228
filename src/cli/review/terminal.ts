// The terminal review talks to: prompts, plain output above them, a pager and the user's editor.
// The real one is process.stdin/stdout; tests give one on @inquirer/testing's Screen.
import { spawnSync } from 'node:child_process';
import { stripVTControlCharacters } from 'node:util';
import { keyPrompt } from './key-prompt.js';

/** Where a prompt reads and writes (a subset of @inquirer's prompt context). */
export interface PromptContext {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  clearPromptOnDone?: boolean;
}

/** An @inquirer prompt: a config and a context in, the answer out. */
export type Prompt<V, C> = (config: C, context?: PromptContext) => Promise<V>;

export interface ReviewTerminal {
  color: boolean;
  /** Height of the screen: a text longer than this is paged. */
  rows: number;
  /** Width of the screen: a longer line takes several rows. */
  columns: number;
  /** Writes text above the prompts (it scrolls like any output; there is no alternate screen). */
  write(text: string): void;
  /** Runs one prompt; `clear` removes it from the screen when answered (the pager's prompt). */
  ask<V, C>(prompt: Prompt<V, C>, config: C, options?: { clear?: boolean }): Promise<V>;
  /** The program named by $PAGER, when set (used instead of the built-in "more" prompt). */
  pager?: string;
  /** The user's editor command ($VISUAL, $EDITOR, else vi). */
  editor: string;
}

/** Prints a text; when it is taller than the screen, page by page (the pager, or a "more" prompt). */
export async function page(term: ReviewTerminal, text: string): Promise<void> {
  const lines = text.split('\n');
  const room = Math.max(5, term.rows - 3);
  const height = (line: string) => Math.max(1, Math.ceil(displayWidth(line) / Math.max(20, term.columns)));
  if (lines.reduce((n, l) => n + height(l), 0) <= room) {
    term.write(text + '\n');
    return;
  }
  if (term.pager) {
    const r = withoutSigint(() => spawnSync(term.pager!, { shell: true, input: text + '\n', stdio: ['pipe', 'inherit', 'inherit'], env: { LESS: 'FRX', ...process.env } }));
    if (!r.error && r.status === 0) return;
  }
  for (let at = 0; at < lines.length; ) {
    // As many lines as fill the screen, counting the rows a long line wraps to.
    let end = at;
    for (let used = 0; end < lines.length && (end === at || used + height(lines[end]!) <= room); end++) used += height(lines[end]!);
    term.write(lines.slice(at, end).join('\n') + '\n');
    at = end;
    const left = lines.length - at;
    if (left <= 0) return;
    const k = await term.ask(keyPrompt, { message: `-- more (${left} line${left === 1 ? '' : 's'} left) --`, choices: [{ key: ' ', help: 'next page' }, { key: 'q', help: 'stop showing this text' }], default: ' ' }, { clear: true });
    if (k === 'q') return;
  }
}

/** Opens files in the editor and waits for it; an error message when it could not run. */
export function runEditor(editor: string, files: string[]): string | null {
  const quoted = files.map((f) => `'${f.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = withoutSigint(() => spawnSync(`${editor} ${quoted}`, { shell: true, stdio: 'inherit' }));
  if (r.error) return `could not run ${editor}: ${r.error.message}`;
  if (r.status !== 0) return `${editor} exited with status ${r.status}`;
  return null;
}

/**
 * Runs a child on the terminal (pager, editor) with Ctrl-C left to it: the terminal sends SIGINT
 * to review too, which must not end the review while the child handles it.
 */
function withoutSigint<T>(run: () => T): T {
  const ignore = () => {};
  process.on('SIGINT', ignore);
  try {
    return run();
  } finally {
    process.off('SIGINT', ignore);
  }
}

/** Columns a line takes: escapes take none, a tab up to the next multiple of 8. */
function displayWidth(line: string): number {
  let w = 0;
  for (const ch of stripVTControlCharacters(line)) w = ch === '\t' ? w + 8 - (w % 8) : w + 1;
  return w;
}

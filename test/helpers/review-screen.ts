// Drives `runReview` on @inquirer/testing's screen: prompts read the screen's input, printed text
// is kept, and each step records what the screen shows (docs/review.md is made of these steps).
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { screen } from '@inquirer/testing/vitest';
import { runReview, type ReviewOptions } from '../../src/cli/review/session.js';
import type { ReviewTerminal } from '../../src/cli/review/terminal.js';

export interface Step {
  key: string;
  /** Text printed since the previous key, then the prompt as the screen shows it. */
  screen: string;
}

export class ReviewDriver {
  printed: string[] = [];
  steps: Step[] = [];
  readonly term: ReviewTerminal;
  done: Promise<number> | null = null;
  code: number | null = null;
  private since = 0;

  constructor(rows = 400) {
    this.term = {
      color: false,
      rows,
      columns: 200,
      editor: 'false',
      write: (s) => void this.printed.push(s),
      ask: (prompt, config, options) => {
        const output = screen.createOutput();
        const p = prompt(config, { input: screen.input, output, clearPromptOnDone: !!options?.clear });
        screen.setActivePromise(p);
        return p;
      },
    };
  }

  /** Starts the review and waits for its first prompt (or its end). */
  async start(opts: Partial<ReviewOptions> & { cwd: string }): Promise<void> {
    // Listen first: the first prompt renders while runReview is still in its synchronous start.
    const waiting = screen.next();
    this.done = runReview({ paths: ['.'], strategy: 'auto', includeReview: false, verify: false, race: false, resume: false, reset: false, context: 3, ...opts }, this.term).then((c) => (this.code = c));
    await this.settle(waiting);
    this.steps.push({ key: '(start)', screen: this.view() });
  }

  /** Presses a key (or types text then Enter) and waits for the next prompt or the end. */
  async press(key: string | { type: string }): Promise<string> {
    // Listen before the key: a prompt that re-renders at once would otherwise be missed.
    const waiting = screen.next();
    if (typeof key === 'string') screen.keypress(key === 'A' ? { name: 'a', shift: true } : key === 'enter' ? { name: 'enter' } : key === 'down' ? { name: 'down' } : key);
    else {
      screen.type(key.type);
      screen.keypress('enter');
    }
    await this.settle(waiting);
    const v = this.view();
    this.steps.push({ key: typeof key === 'string' ? key : `${key.type}⏎`, screen: v });
    return v;
  }

  /** Everything printed so far, without colour. */
  get output(): string {
    return stripVTControlCharacters(this.printed.join(''));
  }

  /** The printed text since the last step, and the prompt on screen. */
  private view(): string {
    const fresh = stripVTControlCharacters(this.printed.slice(this.since).join(''));
    this.since = this.printed.length;
    return `${fresh}${this.code === null ? screen.getScreen() : `(exit ${this.code})`}`.trimEnd();
  }

  private async settle(waiting: Promise<void> = screen.next()): Promise<void> {
    // The session plans synchronously, then prints and opens its next prompt (or ends).
    // A key that changes nothing on screen would wait forever: give up after a while.
    let timer: NodeJS.Timeout | undefined;
    const quiet = new Promise<void>((r) => (timer = setTimeout(r, 15_000)));
    await Promise.race([waiting, this.done!.then(() => undefined), quiet]);
    clearTimeout(timer);
    await new Promise((r) => setImmediate(r));
  }
}

/** A fresh copy of a directory in the temp dir. */
export function copyOf(dir: string): string {
  const to = mkdtempSync(join(tmpdir(), 'gomapfix-review-'));
  cpSync(dir, to, { recursive: true });
  return to;
}

// A real pseudo-terminal for end-to-end tests: a private tmux server (its own socket, no config)
// runs one command; tests type keys into it and read the screen.
import { spawnSync } from 'node:child_process';

let sessions = 0;

export function hasTmux(): boolean {
  return spawnSync('tmux', ['-V'], { encoding: 'utf8' }).status === 0;
}

export class TmuxTerminal {
  private readonly socket = `gomapfix-test-${process.pid}-${++sessions}`;

  /** Starts `command` (a shell command line) in a cols×rows terminal; the pane stays after it exits. */
  constructor(command: string, cols = 120, rows = 50) {
    this.tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'review', '-x', String(cols), '-y', String(rows), `${command}; echo "EXIT=$?"; sleep 120`);
    this.tmux('set-option', '-t', 'review', 'history-limit', '10000');
  }

  /** Sends tmux key names (`y`, `Enter`, `C-c`). */
  keys(...keys: string[]): void {
    this.tmux('send-keys', '-t', 'review', ...keys);
  }

  /** Types text literally. */
  type(text: string): void {
    this.tmux('send-keys', '-t', 'review', '-l', text);
  }

  /** The visible screen. */
  screen(): string {
    return this.tmux('capture-pane', '-p', '-t', 'review').trimEnd();
  }

  /** The screen and its scrollback. */
  history(): string {
    return this.tmux('capture-pane', '-p', '-J', '-S', '-', '-t', 'review').trimEnd();
  }

  /**
   * Waits until the screen matches, pressing Enter at review's "more" prompt on the way (a diff
   * taller than the screen is paged); throws with the screen when it does not match in time.
   */
  async waitFor(re: RegExp, timeoutMs = 30_000): Promise<string> {
    const end = Date.now() + timeoutMs;
    let paged = '';
    for (;;) {
      const s = this.screen();
      if (re.test(s)) return s;
      const last = s.split('\n').pop() ?? '';
      if (/-- more \(\d+ lines? left\) --/.test(last) && s !== paged) {
        paged = s;
        this.keys('Enter');
      }
      if (Date.now() > end) throw new Error(`timed out waiting for ${re} on the screen:\n${s}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  kill(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server']);
  }

  private tmux(...args: string[]): string {
    const r = spawnSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tmux ${args[0]} failed: ${r.stderr}`);
    return r.stdout;
  }
}

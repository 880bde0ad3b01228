// The `review` command: options, the terminal check, and the real terminal.
import type { Command } from 'commander';
import { Option } from 'commander';
import { STRATEGIES } from '../../fix.js';
import { UserError } from '../../errors.js';
import { requireGo } from '../../verify/verify.js';
import { useColor } from '../color.js';
import type { ReviewTerminal } from './terminal.js';
import type { ReviewOptions } from './session.js';
import { confirmedMaps, notPlanned, readLog } from '../triage-command.js';
import { triage } from '../../triage/triage.js';

/** Exit code of a review stopped with Ctrl-C (128 + SIGINT), like a shell. */
const EXIT_INTERRUPTED = 130;

function parseContext(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 1000) throw new UserError(`-C takes a number of context lines (0 to 1000), got ${v}`);
  return n;
}

function editorCommand(env: NodeJS.ProcessEnv = process.env): string {
  return env.VISUAL || env.EDITOR || 'vi';
}

export function processTerminal(): ReviewTerminal {
  const pager = process.env.PAGER?.trim();
  return {
    color: useColor(process.stdout),
    // Read at each use: the terminal may be resized during the review.
    get rows() {
      return process.stdout.rows || 24;
    },
    get columns() {
      return process.stdout.columns || 80;
    },
    write: (s) => void process.stdout.write(s),
    ask: (prompt, config, options) => prompt(config, options?.clear ? { clearPromptOnDone: true } : {}),
    ...(pager ? { pager } : {}),
    editor: editorCommand(),
  };
}

export function reviewCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('review')
    .description('walk through the fixes one map at a time and choose (interactive; writes only after you confirm)')
    .argument('[paths...]', 'files or directories to review', ['.'])
    .addOption(new Option('--strategy <id>', 'transform proposed first for every map (default: fix.strategy of gomapfix.json, else auto)').choices([...STRATEGIES]))
    .addOption(new Option('--style <style>', 'mutex-wrap style').choices(['inline', 'wrapper']))
    .option('--include-review', "also ask about fixes marked 'review' (without it they are listed and passed over)")
    .option('--verify', 'after writing, run go vet and go build on the fixed packages and their importers; restore all written files if any fails')
    .option('--race', 'with --verify, also run go test -race')
    .addOption(new Option('--resume', 'continue the review saved in .gomapfix/review.json').conflicts('reset'))
    .option('--reset', 'discard the saved review and start over')
    .option('-C, --context <lines>', 'lines of context around each change', parseContext, 3)
    .option('--from-log <log>', 'review only the maps this crash log or race report proves racy (see gomapfix triage)')
    .action(
      async (
        paths: string[],
        opts: { strategy?: string; style?: 'inline' | 'wrapper'; includeReview?: boolean; verify?: boolean; race?: boolean; resume?: boolean; reset?: boolean; context: number; fromLog?: string },
      ) => {
        if (opts.race && !opts.verify) throw new UserError('--race is an option of --verify');
        if (!process.stdin.isTTY || !process.stdout.isTTY) {
          throw new UserError('review is interactive and needs a terminal on stdin and stdout; use gomapfix fix (preview) or gomapfix fix --write instead');
        }
        if (opts.verify) requireGo();
        let confirmed: ReturnType<typeof confirmedMaps> | undefined;
        let unplanned: ReviewOptions['unplanned'];
        if (opts.fromLog !== undefined) {
          if (opts.fromLog === '-') throw new UserError('--from-log needs a file: review reads its answers from the terminal');
          const result = triage(readLog(opts.fromLog, opts.fromLog), process.cwd());
          if (result.confirmed.length === 0) {
            process.stderr.write(`gomapfix: ${opts.fromLog} confirms no map of this repository (${result.reports} report${result.reports === 1 ? '' : 's'}; gomapfix triage ${opts.fromLog} says why): nothing to review\n`);
            setExit(result.reports > 0 && result.notMapRaces.length === 0 ? 2 : 0);
            return;
          }
          confirmed = confirmedMaps(result);
          unplanned = (plan) => notPlanned(result, plan).map((u) => `${u.map} (declared ${u.declared}): ${u.reason}`);
        }
        // Loaded here: the prompts are review's alone, and scan and fix start faster without them.
        const { runReview } = await import('./session.js');
        try {
          setExit(
            await runReview(
              {
                paths,
                cwd: process.cwd(),
                ...(opts.strategy ? { strategy: opts.strategy } : {}),
                ...(opts.style ? { style: opts.style } : {}),
                includeReview: !!opts.includeReview,
                verify: !!opts.verify,
                race: !!opts.race,
                resume: !!opts.resume,
                reset: !!opts.reset,
                context: opts.context,
                ...(confirmed ? { confirmed } : {}),
                ...(unplanned ? { unplanned } : {}),
              },
              processTerminal(),
            ),
          );
        } catch (err) {
          if ((err as Error)?.name === 'ExitPromptError') {
            process.stdout.write('\n');
            process.stderr.write('gomapfix: review interrupted: nothing written; the decisions so far are kept (gomapfix review --resume)\n');
            setExit(EXIT_INTERRUPTED);
            return;
          }
          throw err;
        }
      },
    );
}

#!/usr/bin/env node
// gomapfix command line. Exit codes: 0 nothing found, 1 findings, 2 usage/input/internal error.
import { Command, CommanderError, Option } from 'commander';
import { scan } from '../scan.js';
import { UserError } from '../errors.js';
import { textReport } from './text-report.js';

const EXIT_FINDINGS = 1;
const EXIT_ERROR = 2;

function useColor(stream: NodeJS.WriteStream): boolean {
  if ('NO_COLOR' in process.env && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true;
  return !!stream.isTTY;
}

function progress(): ((done: number, total: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (total < 200 || (now - last < 100 && done < total)) return;
    last = now;
    process.stderr.write(`\rscanning ${done}/${total} files`);
    if (done >= total) process.stderr.write('\r\x1b[K');
  };
}

async function main(argv: string[]): Promise<number> {
  const program = new Command();
  program
    .name('gomapfix')
    .description('Find Go maps that several goroutines reach without synchronization.')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showSuggestionAfterError(true);

  let exitCode = 0;
  program
    .command('scan')
    .description('report unsafe map use')
    .argument('[paths...]', 'files or directories to scan', ['.'])
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--max-file-size <bytes>', 'skip (and report) larger files', (v) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) throw new UserError(`--max-file-size must be a positive number of bytes, got ${v}`);
      return n;
    })
    .option('--all-platforms', 'ignore build constraints: analyse the files of every GOOS/GOARCH together')
    .action(async (paths: string[], opts: { format: string; maxFileSize?: number; allPlatforms?: boolean }) => {
      const onProgress = progress();
      const result = await scan(paths, {
        ...(opts.maxFileSize ? { maxFileSize: opts.maxFileSize } : {}),
        ...(onProgress ? { onProgress } : {}),
        ...(opts.allPlatforms ? { allPlatforms: true } : {}),
      });
      if (opts.format === 'json') {
        const { version, findings, errors, skipped } = result;
        process.stdout.write(JSON.stringify({ version, findings, errors, skipped }, null, 2) + '\n');
      } else if (result.files === 0) {
        process.stdout.write(`no Go files found in ${paths.join(', ')}\n`);
      } else {
        process.stdout.write(textReport(result, useColor(process.stdout)));
      }
      exitCode = result.findings.length > 0 ? EXIT_FINDINGS : 0;
    });

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander already printed its message; help and version are not errors.
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0 ? 0 : EXIT_ERROR;
    }
    if (err instanceof UserError) {
      process.stderr.write(`gomapfix: ${err.message}\n`);
      return EXIT_ERROR;
    }
    process.stderr.write(`gomapfix: internal error: ${(err as Error)?.message ?? String(err)}\n`);
    return EXIT_ERROR;
  }
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = EXIT_ERROR;
  },
);

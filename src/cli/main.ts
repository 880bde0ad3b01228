#!/usr/bin/env node
// gomapfix command line. Exit codes: 0 nothing found, 1 findings, 2 usage/input/internal error.
import { relative } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { scan } from '../scan.js';
import { UserError } from '../errors.js';
import { textReport } from './text-report.js';
import { planFixes, STRATEGIES, type FixPhase } from '../fix.js';
import { diffReport, planJson, summary } from './diff-report.js';
import { writePlannedFiles } from '../plan/write.js';
import { requireGo, verifyWritten } from '../verify/verify.js';
import { verifyProgress } from './verify-progress.js';
import type { Warning } from '../files/warning.js';
import type { Plan } from '../plan/model.js';
import { terminalProgress, type ProgressLine } from './progress.js';
import { emptyRun, type InputAccount } from './empty-run.js';
import { packageVersion } from './version.js';
import { useColor } from './color.js';
import { reviewCommand } from './review/command.js';
import { triageCommand } from './triage-command.js';
import { fixChoice, planOptions, runSettings } from './run-settings.js';
import { prCommand } from './pr/command.js';
import { FIX_FORMATS, formatContext, formatReport, isMachineFormat, planReport, SCAN_FORMATS, scanReport } from './formats/index.js';

const EXIT_FINDINGS = 1;
const EXIT_ERROR = 2;


// Below these sizes a phase is quick and its progress line would only flicker.
const PROGRESS_MIN_SCAN_FILES = 200;
const PROGRESS_MIN_PACKAGES = 20;
const PROGRESS_MIN_REWRITES = 20;

/** `fix`'s two phases on the progress line: packages planned, then files rewritten. */
function fixProgress(line: ProgressLine): (phase: FixPhase, done: number, total: number) => void {
  return (phase, done, total) =>
    phase === 'analysing' ? line.show('analysing', done, total, 'packages', PROGRESS_MIN_PACKAGES) : line.show('rewriting', done, total, 'files', PROGRESS_MIN_REWRITES);
}

/** Writes a Plan's files, verifies them when asked, and says so on stderr; returns the exit code. */
function writeAndVerify(plan: Plan, options: { verify: boolean; race: boolean }, unresolved: number): number {
  const outcome = writePlannedFiles(plan.files, plan.root);
  for (const t of outcome.removedTemps) process.stderr.write(`gomapfix: removed ${relative(plan.root, t)}, a temporary file left by an interrupted run\n`);
  for (const p of outcome.packages) {
    const others = p.files.length - 1;
    process.stderr.write(`gomapfix: package ${p.dir} not written${others > 0 ? ` (nor its ${others} other planned file${others === 1 ? '' : 's'})` : ''}: ${p.cause.file} ${p.cause.message}\n`);
  }
  let kept = outcome.written.length;
  let restored = 0;
  let failedVerify = false;
  if (options.verify && outcome.written.length > 0) {
    const progress = verifyProgress();
    const report = verifyWritten(plan.files, outcome.written, plan.root, { race: options.race, ...(progress.onProgress ? { onProgress: progress.onProgress } : {}) });
    progress.end();
    process.stderr.write(`${report.line}\n`);
    if (report.failure) process.stderr.write(`${report.failure.message}\n`);
    for (const u of report.unrestored) process.stderr.write(`gomapfix: ${u.file} ${u.message}\n`);
    if (!report.ok) {
      failedVerify = true;
      restored = report.restored;
      kept = report.unrestored.length;
    }
  }
  process.stderr.write(`wrote ${kept} file${kept === 1 ? '' : 's'}${failedVerify ? `, restored ${restored} after failed verification` : ''} (${summary(plan)})\n`);
  return outcome.refused.length > 0 || failedVerify ? EXIT_ERROR : unresolved > 0 ? EXIT_FINDINGS : 0;
}

function printWarnings(warnings: Warning[]): void {
  for (const w of warnings) {
    const where = w.file ? `${w.file}${w.line ? `:${w.line}` : ''}: ` : '';
    process.stderr.write(`gomapfix: warning: ${where}${w.message}\n`);
  }
}

/** Says so on stderr when Go files were found but none analysed; true when that is a failure (exit 2). */
function reportEmptyRun(account: InputAccount): boolean {
  const empty = emptyRun(account);
  if (empty) process.stderr.write(`gomapfix: ${empty.message}\n`);
  return !!empty?.failed;
}

function parseBool(v: string): boolean {
  if (/^(true|1|yes)$/i.test(v)) return true;
  if (/^(false|0|no)$/i.test(v)) return false;
  throw new UserError(`--tests takes true or false, got ${v}`);
}

function parseFileSize(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UserError(`--max-file-size must be a positive number of bytes, got ${v}`);
  return n;
}

async function main(argv: string[]): Promise<number> {
  const program = new Command();
  program
    .name('gomapfix')
    .description('Find Go maps that several goroutines reach without synchronization.')
    .version(packageVersion(), '-V, --version', 'print the version of gomapfix')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showSuggestionAfterError(true);

  let exitCode = 0;
  program
    .command('scan')
    .description('report unsafe map use')
    .argument('[paths...]', 'files or directories to scan', ['.'])
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', ...SCAN_FORMATS]).default('text'))
    .option('--max-file-size <bytes>', 'skip (and report) larger files', parseFileSize)
    .option('--all-platforms', 'ignore build constraints: analyse the files of every GOOS/GOARCH together')
    .option('--tests <bool>', 'analyse _test.go files (default true); --tests=false leaves them out', parseBool)
    .option('--hazards', 'also report ranges that hold the map\'s lock while calling a callback the package never shows coming back to the map (a design hazard, not a race)')
    .option('--strict-tests', 'also report unlocked accesses a test makes from its own goroutine to a map the package guards (go test -race checks those when the test runs)')
    .option('--no-hazards', 'turn off hazards set in gomapfix.json')
    .option('--no-strict-tests', 'turn off strictTests set in gomapfix.json')
    .option('--report-unused-ignores', 'warn about each ignore comment that silences no finding; exit 1 when there is one')
    .option('--new-from-rev <ref>', 'report only findings on lines added or changed since the git revision REF')
    .option('--baseline <file>', 'do not report the findings recorded in FILE (the output of scan --format json)')
    .addOption(new Option('--confidence <level>', "which findings to keep: all (default), or only those of high confidence, whose concurrency and shared value the scan saw (docs/confidence.md)").choices(['all', 'high']))
    .action(async (paths: string[], opts: { format: string; maxFileSize?: number; allPlatforms?: boolean; tests?: boolean; hazards?: boolean; strictTests?: boolean; reportUnusedIgnores?: boolean; newFromRev?: string; baseline?: string; confidence?: 'all' | 'high' }) => {
      const settings = runSettings(paths, process.cwd(), opts);
      const line = terminalProgress();
      const result = await scan(paths, {
        ...(settings.maxFileSize ? { maxFileSize: settings.maxFileSize } : {}),
        ...(line ? { onProgress: (done: number, total: number) => line.show('scanning', done, total, 'files', PROGRESS_MIN_SCAN_FILES) } : {}),
        ...(opts.allPlatforms ? { allPlatforms: true } : {}),
        ...(settings.tests === false ? { tests: false } : {}),
        ...(settings.hazards ? { hazards: true } : {}),
        ...(settings.strictTests ? { strictTests: true } : {}),
        ...(settings.exclude ? { exclude: settings.exclude } : {}),
        ...(opts.reportUnusedIgnores ? { reportUnusedIgnores: true } : {}),
      }).finally(() => line?.clear());
      if (settings.keepFinding) result.findings = result.findings.filter(settings.keepFinding);
      printWarnings(result.warnings);
      if (opts.format === 'json') {
        const { version, findings, errors, skipped, warnings } = result;
        process.stdout.write(JSON.stringify({ version, findings, errors, skipped, warnings }, null, 2) + '\n');
      } else if (isMachineFormat(opts.format)) {
        const out = formatReport(opts.format, scanReport(result), formatContext(process.cwd(), packageVersion()));
        process.stderr.write(out.stderr);
        process.stdout.write(out.stdout);
      } else if (result.files === 0) {
        process.stdout.write(`no Go files found in ${paths.join(', ')}\n`);
      } else {
        process.stdout.write(textReport(result, useColor(process.stdout)));
      }
      const failed = reportEmptyRun(result);
      exitCode = failed ? EXIT_ERROR : result.findings.length > 0 || (opts.reportUnusedIgnores && result.unusedIgnores > 0) ? EXIT_FINDINGS : 0;
    });

  program
    .command('fix')
    .description('preview (or, with --write, apply) rewrites that make the reported maps safe')
    .argument('[paths...]', 'files or directories to fix', ['.'])
    .addOption(new Option('--strategy <id>', 'transform to use for every finding (default: fix.strategy of gomapfix.json, else auto)').choices([...STRATEGIES]))
    .addOption(new Option('--style <style>', 'mutex-wrap style (default: inline with --strategy mutex-wrap; chosen per finding by auto)').choices(['inline', 'wrapper']))
    .option('--write', 'apply the fixes to the files (atomically)')
    .option('--include-review', "also apply fixes marked 'review'")
    .option('--verify', 'after writing, run go vet and go build on every fixed package and every package of its module that imports one; restore all written files if any fails')
    .option('--race', 'with --verify, also run go test -race')
    .addOption(new Option('--format <format>', 'output format').choices(['diff', 'json', ...FIX_FORMATS]).default('diff'))
    .option('--max-file-size <bytes>', 'skip (and report) larger files', parseFileSize)
    .option('--all-platforms', 'ignore build constraints: analyse the files of every GOOS/GOARCH together')
    .option('--tests <bool>', 'analyse _test.go files (default true); --tests=false leaves them out, and declines fixes of maps a left-out test names', parseBool)
    .option('--hazards', 'also report ranges that hold the map\'s lock while calling a callback the package never shows coming back to the map (a design hazard, not a race)')
    .option('--strict-tests', 'also report unlocked accesses a test makes from its own goroutine to a map the package guards (go test -race checks those when the test runs)')
    .option('--no-hazards', 'turn off hazards set in gomapfix.json')
    .option('--no-strict-tests', 'turn off strictTests set in gomapfix.json')
    .option('--new-from-rev <ref>', 'fix only findings on lines added or changed since the git revision REF')
    .option('--baseline <file>', 'leave alone the findings recorded in FILE (the output of scan --format json)')
    .addOption(new Option('--confidence <level>', "which findings to keep: all (default), or only those of high confidence, whose concurrency and shared value the scan saw (docs/confidence.md)").choices(['all', 'high']))
    .action(
      async (
        paths: string[],
        opts: { strategy?: string; style?: 'inline' | 'wrapper'; write?: boolean; includeReview?: boolean; verify?: boolean; race?: boolean; format: string; maxFileSize?: number; allPlatforms?: boolean; tests?: boolean; hazards?: boolean; strictTests?: boolean; newFromRev?: string; baseline?: string; confidence?: 'all' | 'high' },
      ) => {
        if (opts.verify && !opts.write) throw new UserError('--verify checks written files: use it with --write');
        if (opts.race && !opts.verify) throw new UserError('--race is an option of --verify');
        if (opts.verify) requireGo();
        const settings = runSettings(paths, process.cwd(), opts);
        const line = terminalProgress();
        let plan;
        try {
          plan = planFixes(paths, {
            ...fixChoice(settings.config, opts.strategy, opts.style),
            includeReview: !!opts.includeReview,
            ...planOptions(settings),
            ...(opts.allPlatforms ? { allPlatforms: true } : {}),
            ...(line ? { onProgress: fixProgress(line) } : {}),
          });
        } finally {
          line?.clear();
        }
        printWarnings(plan.warnings);
        if (opts.format === 'json') process.stdout.write(planJson(plan));
        else if (isMachineFormat(opts.format)) process.stdout.write(formatReport(opts.format, planReport(plan), formatContext(process.cwd(), packageVersion(), plan.files)).stdout);
        else process.stdout.write(diffReport(plan, useColor(process.stdout)));
        if (reportEmptyRun({ ...plan.inputs, errors: plan.errors, skipped: plan.skipped })) {
          exitCode = EXIT_ERROR;
          return;
        }
        const unresolved = plan.findings.length - new Set(plan.fixes.flatMap((f) => f.covers)).size;
        if (!opts.write) {
          exitCode = plan.files.length > 0 || unresolved > 0 ? EXIT_FINDINGS : 0;
          return;
        }
        exitCode = writeAndVerify(plan, { verify: !!opts.verify, race: !!opts.race }, unresolved);
      },
    );

  reviewCommand(program, (code) => {
    exitCode = code;
  });

  triageCommand(
    program,
    (code) => {
      exitCode = code;
    },
    writeAndVerify,
  );

  prCommand(program, (code) => {
    exitCode = code;
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

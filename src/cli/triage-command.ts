// The `triage` command: a crash log or race report in, the maps it proves racy out, and their fixes.
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { UserError } from '../errors.js';
import { planFixes } from '../fix.js';
import { fixChoice, runSettings } from './run-settings.js';
import { describeFsError } from '../files/discover.js';
import type { Finding, MapDecl } from '../analysis/model.js';
import type { Plan } from '../plan/model.js';
import { requireGo } from '../verify/verify.js';
import { confirmedFinding, triage, type ConfirmedMap, type TriageResult } from '../triage/triage.js';
import { useColor } from './color.js';
import { diffReport, planJson } from './diff-report.js';

const EXIT_FOUND = 1;
const EXIT_ERROR = 2;
/** Reports printed per map in the text report; a flood of the same race says nothing more. */
const REPORTS_SHOWN = 3;

interface TriageOpts {
  root?: string;
  format: string;
  fix?: boolean;
  write?: boolean;
  verify?: boolean;
  race?: boolean;
  includeReview?: boolean;
}

export function triageCommand(program: Command, setExit: (code: number) => void, writeAndVerify: (plan: Plan, options: { verify: boolean; race: boolean }, unresolved: number) => number): void {
  program
    .command('triage')
    .description('place the maps a crash log (fatal error: concurrent map …) or race report proves racy, and fix them')
    .argument('[log]', 'the log file; - or nothing reads stdin', '-')
    .option('--root <dir>', 'the repository the log comes from (default: the current directory)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--fix', 'plan fixes for the confirmed maps (a diff preview, like fix)')
    .option('--write', 'with --fix, apply the fixes')
    .option('--include-review', "with --fix, also apply fixes marked 'review'")
    .option('--verify', 'with --fix --write, run go vet and go build on the fixed packages; restore them if any fails')
    .option('--race', 'with --verify, also run go test -race')
    .action((log: string, opts: TriageOpts) => {
      if (opts.write && !opts.fix) throw new UserError('--write applies the fixes of --fix: use triage --fix --write');
      if (opts.verify && !opts.write) throw new UserError('--verify checks written files: use it with --fix --write');
      if (opts.race && !opts.verify) throw new UserError('--race is an option of --verify');
      if (opts.verify) requireGo();
      const root = resolve(opts.root ?? '.');
      try {
        if (!statSync(root).isDirectory()) throw new UserError(`--root ${opts.root}: not a directory`);
      } catch (err) {
        if (err instanceof UserError) throw err;
        throw new UserError(`--root ${opts.root ?? '.'}: ${describeFsError(err)}`);
      }
      const name = log === '-' ? 'stdin' : log;
      const text = readLog(log, name);
      const result = triage(text, root);
      let plan: Plan | null = null;
      if (opts.fix && result.confirmed.length > 0) plan = planConfirmed(result, root, !!opts.includeReview);
      const unfixed = plan ? notPlanned(result, plan) : [];
      if (opts.format === 'json') {
        const out = { ...result, confirmed: result.confirmed.map(({ dir: _dir, ...c }) => c), ...(plan ? { plan: JSON.parse(planJson(plan)) as unknown, unfixed } : {}) };
        process.stdout.write(JSON.stringify(out, null, 2) + '\n');
      } else if (result.reports > 0) {
        process.stdout.write(triageText(result, name, !!opts.fix));
        if (plan) {
          if (plan.findings.length > 0 || unfixed.length === 0) process.stdout.write(diffReport(plan, useColor(process.stdout)));
          for (const u of unfixed) process.stdout.write(`# not fixed: ${u.map} (declared ${u.declared}): ${u.reason}\n`);
        }
      }
      if (result.reports === 0) {
        process.stderr.write(`gomapfix: no concurrent map error or data race report in ${name}\n`);
        setExit(0);
        return;
      }
      if (result.confirmed.length === 0 && result.notMapRaces.length === 0) {
        process.stderr.write(`gomapfix: none of the ${result.reports} report${result.reports === 1 ? '' : 's'} in ${name} could be placed in ${root}: ${result.unplaced[0]?.reason ?? 'no frame in the repository'} (is --root the repository the log comes from?)\n`);
        setExit(EXIT_ERROR);
        return;
      }
      if (plan && opts.write) {
        const unresolved = plan.findings.length - new Set(plan.fixes.flatMap((f) => f.covers)).size + unfixed.length;
        const code = writeAndVerify(plan, { verify: !!opts.verify, race: !!opts.race }, unresolved);
        setExit(code);
        return;
      }
      setExit(result.confirmed.length > 0 ? EXIT_FOUND : 0);
    });
}

/** The log's text; a missing, binary or empty input is a one-line user error. */
export function readLog(log: string, name: string): string {
  let bytes: Buffer;
  try {
    if (log === '-' && process.stdin.isTTY) throw new UserError('no log given: pass a file, or pipe the log into gomapfix triage -');
    bytes = readFileSync(log === '-' ? 0 : log);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`cannot read ${name}: ${describeFsError(err)}`);
  }
  if (bytes.length === 0 || bytes.toString('utf8').trim() === '') throw new UserError(`${name} is empty: paste the log with the fatal error or the WARNING: DATA RACE report`);
  const head = bytes.subarray(0, 8192);
  if (head.includes(0) || looksBinary(head)) throw new UserError(`${name} is a binary file, not a log`);
  return bytes.toString('utf8');
}

function looksBinary(head: Buffer): boolean {
  let control = 0;
  for (const b of head) if (b < 9 || (b > 13 && b < 32 && b !== 27)) control++;
  return control > head.length / 20;
}

/** The confirmed maps as FixOptions.confirmed: by package directory, then map key. */
export function confirmedMaps(result: TriageResult): Map<string, Map<string, (decl: MapDecl) => Finding>> {
  const confirmed = new Map<string, Map<string, (decl: MapDecl) => Finding>>();
  for (const c of result.confirmed) {
    const byKey = confirmed.get(c.dir) ?? new Map<string, (decl: MapDecl) => Finding>();
    byKey.set(c.map.key, (decl) => confirmedFinding(c, decl));
    confirmed.set(c.dir, byKey);
  }
  return confirmed;
}

/**
 * Plans the confirmed maps with the same transforms and merge as `fix`. gomapfix.json chooses the
 * strategy and style (auto by default) and the tests setting; its excludes and rules turned off do
 * not hide a map the log proves racy.
 */
function planConfirmed(result: TriageResult, root: string, includeReview: boolean): Plan {
  const confirmed = confirmedMaps(result);
  const config = runSettings(['.'], root, {}).config;
  return planFixes(['.'], {
    cwd: root,
    ...fixChoice(config),
    ...(config?.tests === false ? { tests: false } : {}),
    ...(config?.maxFileSize ? { maxFileSize: config.maxFileSize } : {}),
    includeReview,
    onlyDirs: new Set(confirmed.keys()),
    confirmed,
  });
}

/**
 * The confirmed maps the plan has no finding for, so neither a fix nor a decline: the analysis saw
 * no access of the map it could rewrite (a field reached only through values received from a
 * channel, say). Said, never dropped.
 */
export function notPlanned(result: TriageResult, plan: Plan): { map: string; declared: string; reason: string }[] {
  const out: { map: string; declared: string; reason: string }[] = [];
  for (const c of result.confirmed) {
    const planned = plan.findings.some((f) => f.map.name === c.map.name && f.map.file === c.map.file && f.map.line === c.map.line);
    if (planned) continue;
    const why = c.static.why ? ` (${c.static.why.replace(/^the scan saw no access of [^:]+: /, '')})` : '';
    out.push({
      map: c.map.name,
      declared: `${c.map.file}:${c.map.line}`,
      reason: `the analysis has no access of ${c.map.name} that a transform could rewrite${why}; guard it by hand, at the racing lines the report shows`,
    });
  }
  return out;
}

/** The short report: each map, its racing sites with their goroutines, what the scan said. */
export function triageText(result: TriageResult, name: string, fixing: boolean): string {
  const out: string[] = [];
  for (const c of result.confirmed) out.push(...confirmedText(c, fixing));
  for (const n of result.notMapRaces) {
    out.push(`not a map race (${name}:${n.logLine}): ${n.reason}`);
    for (const s of n.sites) out.push(`  ${s.role.padEnd(15)} ${s.file}:${s.line}  ${s.func}`);
    out.push('');
  }
  for (const u of result.unplaced) out.push(`not placed (${name}:${u.logLine}, ${u.message}): ${u.reason}`, '');
  const n = result.confirmed.length;
  out.push(
    `${n} confirmed map${n === 1 ? '' : 's'} from ${result.reports} report${result.reports === 1 ? '' : 's'}` +
      (result.notMapRaces.length > 0 ? `, ${result.notMapRaces.length} not a map race` : '') +
      (result.unplaced.length > 0 ? `, ${result.unplaced.length} not placed` : ''),
  );
  return out.join('\n') + '\n';
}

function confirmedText(c: ConfirmedMap, fixing: boolean): string[] {
  const out = [`confirmed: ${c.map.name} (${c.map.kind}, declared ${c.map.file}:${c.map.line})`];
  for (const r of c.reports.slice(0, REPORTS_SHOWN)) {
    out.push(`  ${r.kind === 'race' ? 'data race' : `fatal error: ${r.message}`} (log line ${r.logLine}${r.truncated ? ', truncated' : ''})`);
    for (const s of r.sites) {
      const g = s.goroutine !== null ? `goroutine ${s.goroutine}` : 'goroutine ?';
      const created = s.createdAt ? `, started at ${s.createdAt.file}:${s.createdAt.line}` : '';
      out.push(`    ${s.role.padEnd(17)} ${`${s.file}:${s.line}`.padEnd(20)} ${s.access} ${s.text}  (${g}${created})`);
      if (s.via) out.push(`      via: ${s.via}`);
    }
    for (const why of r.unplacedSides) out.push(`    other side not placed: ${why}`);
  }
  if (c.reports.length > REPORTS_SHOWN) out.push(`  and ${c.reports.length - REPORTS_SHOWN} more report${c.reports.length - REPORTS_SHOWN === 1 ? '' : 's'} on ${c.map.name} (--format json lists them all)`);
  out.push(
    c.static.found
      ? `  static analysis: reported it too (${c.static.findings.map((f) => `${f.rule} at line ${f.line}`).join(', ')})`
      : `  static analysis: did not report it: ${c.static.why}`,
  );
  if (!fixing) out.push(`  fix: gomapfix triage --fix previews the rewrite`);
  out.push('');
  return out;
}

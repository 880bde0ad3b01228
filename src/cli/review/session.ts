// `gomapfix review`: one decision per map, in the habit of `git add -p`. The session reads the
// Plan (each proposal is the planner's answer for one map on the working copy); it writes
// nothing until the user confirms at the end, and saves every answer in .gomapfix/review.json.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { confirm, input, select } from '@inquirer/prompts';
import pc from 'picocolors';
import type { Choice, FixOptions } from '../../fix.js';
import type { JsonFinding } from '../../scan.js';
import type { Plan } from '../../plan/model.js';
import { isGofmtClean, rewriteFile } from '../../plan/apply.js';
import { writePlannedFiles } from '../../plan/write.js';
import { verifyWritten } from '../../verify/verify.js';
import { keyPrompt, type KeyChoice } from './key-prompt.js';
import { page, runEditor, type ReviewTerminal } from './terminal.js';
import { fixSummary, fullEvidence, header, proposalDiff, shortEvidence } from './render.js';
import { ALTERNATIVES, ReviewWorkspace, choiceLabel, choiceOf, type MapGroup, type Proposal } from './workspace.js';
import { decisionsPath, loadDecisions, recordedFor, removeDecisions, saveDecisions, type Answer, type Decision } from './decisions.js';
import { UserError } from '../../errors.js';
import { emptyRun } from '../empty-run.js';
import { fixChoice, planOptions, runSettings } from '../run-settings.js';

export interface ReviewOptions {
  paths: string[];
  cwd: string;
  /** The transform proposed first; absent: fix.strategy of gomapfix.json, else auto. */
  strategy?: string;
  style?: 'inline' | 'wrapper';
  includeReview: boolean;
  verify: boolean;
  race: boolean;
  resume: boolean;
  reset: boolean;
  /** Lines of context around each change in the diffs. */
  context: number;
  maxFileSize?: number;
  allPlatforms?: boolean;
  tests?: boolean;
  /** `--from-log`: only the maps a crash log or race report confirmed (src/triage). */
  confirmed?: FixOptions['confirmed'];
  /** `--from-log`: the confirmed maps the plan has no finding for, each said before the review. */
  unplanned?: (plan: Plan) => string[];
}

export const EXIT_DONE = 0;
export const EXIT_LEFT = 1;
export const EXIT_ERROR = 2;

const KEYS: Record<string, string> = {
  y: 'accept this fix',
  n: 'skip this map (decide later; nothing changes)',
  a: 'choose another transform (each with its diff, or why it declines)',
  i: 'ignore: add a //gomapfix:ignore comment (asks the reason)',
  e: 'edit the proposed result in your editor',
  v: 'show all the evidence and the surrounding function',
  u: 'undo the last decision',
  A: 'accept this fix and every remaining fix of the same transform',
  q: 'quit (write the accepted fixes now, keep the decisions for later, or discard them)',
};

interface Made {
  decision: Decision;
  /** Where the map is in the list, and the working copy before the decision (for undo). */
  index: number;
  before: Map<string, string>;
}

/** Runs a review on a terminal; resolves to the exit code. */
export async function runReview(opts: ReviewOptions, term: ReviewTerminal): Promise<number> {
  const c = pc.createColors(term.color);
  const say = (s: string) => term.write(s + '\n');
  const file = decisionsPath(opts.paths, opts.cwd);
  const shownFile = relative(opts.cwd, file) || file;
  if (opts.reset) removeDecisions(file);
  const earlier = loadDecisions(file);
  if (earlier && !opts.resume) throw new UserError(`${shownFile} holds the decisions of an earlier review: --resume continues it, --reset starts over`);
  let recorded = earlier?.decisions ?? [];

  // gomapfix.json applies as in scan and fix (excluded files, rules off, tests, strategy); options given win.
  const settings = runSettings(opts.paths, opts.cwd, { maxFileSize: opts.maxFileSize, tests: opts.tests });
  const ws = new ReviewWorkspace(opts.paths, opts.cwd, {
    ...planOptions(settings),
    ...(opts.allPlatforms ? { allPlatforms: true } : {}),
    ...(opts.confirmed ? { confirmed: opts.confirmed } : {}),
  });
  const { plan, groups } = ws.scan();
  for (const w of plan.warnings) say(c.yellow(`gomapfix: warning: ${w.file ? `${w.file}${w.line ? `:${w.line}` : ''}: ` : ''}${w.message}`));
  for (const e of plan.errors) say(c.red(`gomapfix: ${e.file}: ${e.message}`));
  const unplanned = opts.unplanned?.(plan) ?? [];
  for (const u of unplanned) say(c.yellow(`not fixed: ${u}`));
  // A confirmed map left as it is keeps the exit code of maps left (1).
  const left = unplanned.length > 0;
  const empty = emptyRun({ ...plan.inputs, errors: plan.errors, skipped: plan.skipped });
  if (empty) {
    say(`gomapfix: ${empty.message}`);
    if (empty.failed) return EXIT_ERROR;
  }
  if (plan.inputs.files === 0) {
    say(`no Go files found in ${opts.paths.join(', ')}`);
    return EXIT_DONE;
  }
  if (groups.length === 0) {
    say('no findings: nothing to review');
    return left ? EXIT_LEFT : EXIT_DONE;
  }
  const nFindings = groups.reduce((n, g) => n + g.findings.length, 0);
  say(`${groups.length} map${groups.length === 1 ? '' : 's'} to review (${nFindings} finding${nFindings === 1 ? '' : 's'}); nothing is written until you confirm at the end. ? shows the keys.`);
  if (earlier) say(`resuming: ${recorded.length} earlier decision${recorded.length === 1 ? '' : 's'} in ${shownFile}`);

  const first = fixChoice(settings.config, opts.strategy, opts.style);
  const defaultChoice = choiceOf(first.strategy, first.style);
  const chosen = new Map<string, Choice>();
  const made: Made[] = [];
  const notes = new Map<string, string>();
  let acceptAll: string | null = null;
  /** Maps whose findings an accepted fix resolved: nothing left to decide. */
  const resolved = new Set<number>();
  const save = () => saveDecisions(file, [...made.map((m) => m.decision), ...recorded.filter((r) => !made.some((m) => sameMap(m.decision, r)))]);
  const record = (i: number, p: Proposal, answer: Answer, before: Map<string, string>, extra: Partial<Decision> = {}) => {
    const g = groups[i]!;
    made.push({ index: i, before, decision: { findings: g.findings.map((f) => f.id), map: g.findings[0]!.map.name, file: g.findings[0]!.file, answer, choice: p.choice, fixHash: p.hash, ...extra } });
    save();
  };

  /** The map and fix whose block is on the screen: a key that changes neither does not print it again. */
  let shown: string | null = null;
  let i = 0;
  let quit: 'write' | 'keep' | 'discard' | null = null;
  while (i < groups.length && !quit) {
    const g = groups[i]!;
    const earlierDecision = recordedFor(recorded, g.findings.map((f) => f.id));
    const answered = made.some((m) => m.index === i);
    const choice = chosen.get(g.key) ?? earlierDecision?.choice ?? defaultChoice;
    const p = ws.propose(g, choice);
    const before = ws.snapshot();
    if (p.current.length === 0) {
      say(c.dim(`[${i + 1}/${groups.length}] ${g.findings[0]!.map.name}: resolved by a fix accepted earlier in this review`));
      resolved.add(i);
      i++;
      continue;
    }
    // --resume: an answer given to this very fix is replayed; a changed fix is asked again.
    if (earlierDecision && !answered && !chosen.has(g.key)) {
      if (earlierDecision.fixHash === p.hash && replay(earlierDecision, p, ws)) {
        say(c.dim(`[${i + 1}/${groups.length}] ${g.findings[0]!.map.name}: ${earlierDecision.answer} (decided earlier)`));
        made.push({ index: i, before, decision: earlierDecision });
        i++;
        continue;
      }
      notes.set(g.key, `the code changed since you answered ${earlierDecision.answer} here: asked again`);
    }
    const fixable = p.fixes.length > 0;
    const needsReview = p.fixes.some((f) => f.safety === 'review');
    if (fixable && needsReview && !opts.includeReview && !chosen.has(g.key)) {
      say(c.yellow(`[${i + 1}/${groups.length}] ${g.findings[0]!.map.name}: its fix needs review; pass --include-review to review it here`));
      i++;
      continue;
    }
    const transform = transformOf(p);
    if (acceptAll && fixable && transform === acceptAll) {
      ws.apply(p.files);
      record(i, p, 'accept', before);
      say(c.green(`[${i + 1}/${groups.length}] ${g.findings[0]!.map.name}: accepted (A: every ${acceptAll} fix)`));
      i++;
      continue;
    }

    // One block, paged as a whole, so the header never scrolls away above a long diff.
    if (shown !== `${i}:${p.hash}`) {
      const block = ['', header(p.current, i, groups.length, c)];
      const note = notes.get(g.key);
      if (note) block.push(c.yellow(`  ${note}`));
      block.push(shortEvidence(p.current, c), fixSummary(p, c));
      block.push(fixable ? proposalDiff(p.files, opts.context, c) : c.yellow('  no fix applies with this transform: a lists the others, n skips, i ignores'));
      await page(term, block.join('\n'));
      shown = `${i}:${p.hash}`;
    }

    const keys: KeyChoice<string>[] = (fixable ? ['y', 'n', 'a', 'i', 'e', 'v', 'u', 'A', 'q'] : ['n', 'a', 'i', 'v', 'u', 'q']).map((k) => ({ key: k, help: KEYS[k]! }));
    const answer = await term.ask(keyPrompt, { message: fixable ? `Apply this fix to ${g.findings[0]!.map.name}?` : `Skip ${g.findings[0]!.map.name}?`, choices: keys, default: 'n' });
    switch (answer) {
      case 'y':
        ws.apply(p.files);
        record(i, p, 'accept', before);
        i++;
        break;
      case 'A':
        ws.apply(p.files);
        record(i, p, 'accept', before);
        acceptAll = transform;
        if (!transform) say(c.yellow('this fix uses several transforms: accepted this one only; A on a fix of one transform accepts the rest of it'));
        i++;
        break;
      case 'n':
        record(i, p, 'skip', before);
        i++;
        break;
      case 'a': {
        const next = await chooseAlternative(term, ws, g, p, opts.context, c);
        if (next) {
          chosen.set(g.key, next);
          notes.delete(g.key);
        }
        // The list scrolled the map away: show it again, with the transform now chosen.
        shown = null;
        break;
      }
      case 'i': {
        const reason = (await term.ask(input, { message: 'Why is this map safe to leave as it is?', required: true })).trim();
        const ignored = checked(ignoreEdits(p.current, reason, (f) => ws.text(f)), (f) => ws.text(f));
        if ('error' in ignored) {
          say(c.red(`cannot add the ignore comment: ${ignored.error}`));
          break;
        }
        ws.apply(ignored.files);
        record(i, p, 'ignore', before, { reason });
        i++;
        break;
      }
      case 'e': {
        const edited = editResult(term, p);
        if ('error' in edited) {
          say(c.red(`edit refused: ${edited.error}`));
          break;
        }
        ws.apply(edited.files);
        record(i, p, 'edit', before, { edited: Object.fromEntries(edited.files.map((f) => [f.path, f.after])) });
        i++;
        break;
      }
      case 'v':
        await page(term, fullEvidence(p.current, (f) => ws.text(f), c));
        break;
      case 'u': {
        const last = made.pop();
        if (!last) {
          say('nothing to undo');
          break;
        }
        ws.restore(last.before);
        shown = null;
        // An undone answer from an earlier session is not replayed again.
        recorded = recorded.filter((r) => !sameMap(r, last.decision));
        i = last.index;
        for (const r of [...resolved]) if (r >= i) resolved.delete(r);
        acceptAll = null;
        save();
        say(c.dim(`undone: ${last.decision.answer} on ${last.decision.map}`));
        break;
      }
      case 'q':
        quit = await term.ask(select<'write' | 'keep' | 'discard'>, {
          message: 'Quit the review:',
          choices: [
            { name: 'write the accepted fixes now', value: 'write' },
            { name: `keep the decisions for later (gomapfix review --resume)`, value: 'keep' },
            { name: 'discard the decisions', value: 'discard' },
          ],
          default: 'keep',
        });
        break;
    }
  }

  const counts = { accept: 0, skip: 0, ignore: 0, edit: 0 };
  for (const m of made) counts[m.decision.answer]++;
  const files = ws.plannedFiles();
  const undecided = groups.length - new Set(made.map((m) => m.index)).size - resolved.size;
  say('');
  say(
    c.bold(
      `${counts.accept} accepted, ${counts.skip} skipped, ${counts.ignore} ignored${counts.edit ? `, ${counts.edit} edited` : ''}${resolved.size ? `, ${resolved.size} resolved by another fix` : ''}${undecided ? `, ${undecided} not decided` : ''}; ${files.length} file${files.length === 1 ? '' : 's'} to change${files.length ? `: ${files.map((f) => f.path).join(', ')}` : ''}`,
    ),
  );
  if (quit === 'keep') {
    say(`decisions kept in ${shownFile}; gomapfix review --resume continues`);
    return EXIT_LEFT;
  }
  if (quit === 'discard') {
    removeDecisions(file);
    say('decisions discarded; nothing written');
    return EXIT_LEFT;
  }
  if (files.length === 0) {
    if (!quit && undecided === 0) removeDecisions(file);
    say('nothing to write');
    return left || counts.skip > 0 || undecided > 0 ? EXIT_LEFT : EXIT_DONE;
  }
  if (!quit) {
    const ok = await term.ask(confirm, { message: `Write ${files.length} file${files.length === 1 ? '' : 's'}?`, default: false });
    if (!ok) {
      say(`nothing written; decisions kept in ${shownFile} (gomapfix review --resume)`);
      return EXIT_LEFT;
    }
  }
  const code = writeAccepted(files, opts, say, c);
  if (code !== EXIT_ERROR && !quit && undecided === 0) removeDecisions(file);
  return code !== EXIT_DONE ? code : left || counts.skip > 0 || undecided > 0 ? EXIT_LEFT : EXIT_DONE;
}

/** The one transform of a proposal's fixes ('' when none or several). */
function transformOf(p: Proposal): string {
  const ts = [...new Set(p.fixes.map((f) => f.transform))];
  return ts.length === 1 ? ts[0]! : '';
}

function sameMap(a: Decision, b: Decision): boolean {
  return a.findings.some((id) => b.findings.includes(id));
}

/** Applies an earlier answer to the working copy; false when it cannot be (asked again). */
function replay(d: Decision, p: Proposal, ws: ReviewWorkspace): boolean {
  switch (d.answer) {
    case 'accept':
      if (p.fixes.length === 0) return false;
      ws.apply(p.files);
      return true;
    case 'skip':
      return true;
    case 'ignore': {
      const ignored = checked(ignoreEdits(p.current, d.reason ?? '', (f) => ws.text(f)), (f) => ws.text(f));
      if ('error' in ignored) return false;
      ws.apply(ignored.files);
      return true;
    }
    case 'edit':
      if (!d.edited) return false;
      ws.apply(Object.entries(d.edited).map(([path, after]) => ({ path, after })));
      return true;
  }
}

/** Lists every transform with its diff or its reason to decline, and asks which to use. */
async function chooseAlternative(term: ReviewTerminal, ws: ReviewWorkspace, g: MapGroup, current: Proposal, context: number, c: ReturnType<typeof pc.createColors>): Promise<Choice | null> {
  const options: { name: string; value: Choice | null; disabled?: string | boolean }[] = [];
  const text: string[] = [];
  for (const choice of ALTERNATIVES) {
    const p = sameChoice(choice, current.choice) ? current : ws.propose(g, choice);
    const label = choiceLabel(choice);
    text.push('', c.bold(`── ${label}${sameChoice(choice, current.choice) ? ' (shown above)' : ''}`));
    if (p.fixes.length === 0) {
      const why = [...p.declined.map((d) => d.reason), ...p.conflicts.map((x) => x.reason)].join('; ') || 'no fix';
      text.push(c.yellow(`  declines: ${why}`));
      options.push({ name: label, value: choice, disabled: 'declines' });
      continue;
    }
    text.push(fixSummary(p, c));
    if (!sameChoice(choice, current.choice)) text.push(proposalDiff(p.files, context, c));
    const tags = [sameChoice(choice, current.choice) ? 'current' : '', p.fixes.some((f) => f.safety === 'review') ? 'needs review' : ''].filter(Boolean);
    options.push({ name: `${label}${tags.length ? ` (${tags.join(', ')})` : ''}`, value: choice });
  }
  await page(term, text.join('\n'));
  options.push({ name: 'keep the current proposal', value: null });
  return term.ask(select<Choice | null>, { message: 'Use which transform?', choices: options, default: null });
}

function sameChoice(a: Choice, b: Choice): boolean {
  return a.strategy === b.strategy && (a.style ?? 'inline') === (b.style ?? 'inline');
}

/**
 * The working copy with a `//gomapfix:ignore <rules> <reason>` comment above each reported line
 * of the map, indented like that line.
 */
export function ignoreEdits(findings: JsonFinding[], reason: string, textOf: (file: string) => string): { path: string; after: string }[] {
  const byFile = new Map<string, Map<number, Set<string>>>();
  for (const f of findings) {
    const lines = byFile.get(f.file) ?? new Map<number, Set<string>>();
    lines.set(f.line, (lines.get(f.line) ?? new Set()).add(f.rule));
    byFile.set(f.file, lines);
  }
  const out: { path: string; after: string }[] = [];
  const oneLine = reason.replace(/\s+/g, ' ').trim();
  for (const [path, lines] of byFile) {
    const text = textOf(path).split('\n');
    for (const [line, rules] of [...lines].sort(([a], [b]) => b - a)) {
      const indent = /^\s*/.exec(text[line - 1] ?? '')![0];
      text.splice(line - 1, 0, `${indent}//gomapfix:ignore ${[...rules].sort().join(',')}${oneLine ? ` ${oneLine}` : ''}`);
    }
    out.push({ path, after: text.join('\n') });
  }
  return out;
}

/**
 * New texts checked like any rewrite: they must parse, and are gofmt-formatted when the text they
 * replace was gofmt-clean (a comment line added inside a wrapped expression gets gofmt's indent).
 */
function checked(files: { path: string; after: string }[], textOf: (path: string) => string): { files: { path: string; after: string }[] } | { error: string } {
  const out: { path: string; after: string }[] = [];
  for (const f of files) {
    const before = textOf(f.path);
    const r = rewriteFile(f.path, f.after, [], [], { gofmtClean: before === '' || isGofmtClean(before) });
    if (!r.ok) return { error: `${f.path}: ${r.message}` };
    out.push({ path: f.path, after: r.text });
  }
  return { files: out };
}

/**
 * Opens the proposed result in the editor; the edited files must still parse and pass gofmt's
 * parser (they are gofmt-formatted when the working copy was gofmt-clean).
 */
function editResult(term: ReviewTerminal, p: Proposal): { files: { path: string; after: string }[] } | { error: string } {
  const dir = mkdtempSync(join(tmpdir(), 'gomapfix-edit-'));
  try {
    const paths = p.files.map((f, k) => {
      const tmp = join(dir, `${k}-${basename(f.path)}`);
      writeFileSync(tmp, f.after);
      return tmp;
    });
    const failed = runEditor(term.editor, paths);
    if (failed) return { error: failed };
    const files: { path: string; after: string }[] = [];
    p.files.forEach((f, k) => {
      files.push({ path: f.path, after: readFileSync(paths[k]!, 'utf8') });
    });
    return checked(files, (path) => p.files.find((f) => f.path === path)!.before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes the accepted result, a package whole or not at all; with --verify, checks it with Go. */
function writeAccepted(files: ReturnType<ReviewWorkspace['plannedFiles']>, opts: ReviewOptions, say: (s: string) => void, c: ReturnType<typeof pc.createColors>): number {
  // Ctrl-C while writing waits for the write to end: a file is never left half written.
  const hold = () => say('gomapfix: writing; interrupted after the write ends');
  process.on('SIGINT', hold);
  try {
    const outcome = writePlannedFiles(files, opts.cwd);
    for (const t of outcome.removedTemps) say(`gomapfix: removed ${relative(opts.cwd, t)}, a temporary file left by an interrupted run`);
    for (const p of outcome.packages) say(c.red(`gomapfix: package ${p.dir} not written: ${p.cause.file} ${p.cause.message}`));
    let code = outcome.refused.length > 0 ? EXIT_ERROR : EXIT_DONE;
    let kept = outcome.written.length;
    let restored = 0;
    if (opts.verify && outcome.written.length > 0) {
      const report = verifyWritten(files, outcome.written, opts.cwd, { race: opts.race });
      say(report.line);
      if (report.failure) say(report.failure.message);
      for (const u of report.unrestored) say(`gomapfix: ${u.file} ${u.message}`);
      if (!report.ok) {
        code = EXIT_ERROR;
        kept = report.unrestored.length;
        restored = report.restored;
      }
    }
    if (restored > 0) say(`wrote ${kept} files, restored ${restored} after failed verification`);
    else say(`wrote ${kept} file${kept === 1 ? '' : 's'}${kept ? `: ${outcome.written.join(', ')}` : ''}`);
    return code;
  } finally {
    process.off('SIGINT', hold);
  }
}

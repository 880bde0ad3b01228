// The GitHub review of a pull request, built from the Plan: one comment per finding, anchored on the diff.
import { posix } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import type { Plan } from '../plan/model.js';
import type { JsonFinding } from '../scan.js';
import type { FixChanges, LineHunk } from '../cli/formats/fix-hunks.js';
import { ruleDocUrl } from '../cli/formats/rule-docs.js';
import { hunkOf, isAdded, type ChangedFile } from './diff.js';
import { fixHash, marker, REVIEW_MARKER } from './marker.js';
import { toSlash } from './scope.js';

/** One entry of `comments[]` of POST /repos/{owner}/{repo}/pulls/{n}/reviews. */
export interface ReviewComment {
  path: string;
  body: string;
  line: number;
  side: 'RIGHT';
  start_line?: number;
  start_side?: 'RIGHT';
}

/** The JSON body of POST /repos/{owner}/{repo}/pulls/{n}/reviews. */
export interface PrReview {
  commit_id?: string;
  event: 'COMMENT';
  body: string;
  comments: ReviewComment[];
}

/** What the review says about one finding. */
export interface ReviewItem {
  findingId: string;
  fixHash: string;
  marker: string;
  /** The comment on the diff; null when no line of the finding or its fix is in the diff (the review body lists it). */
  comment: ReviewComment | null;
  /** The finding in one line, for the review body. */
  summary: string;
  /** The body of the comment (also used for a file-level comment when GitHub refuses the line). */
  body: string;
  path: string;
  /** The lines a ```suggestion replaces (head lines, inclusive) and its text, when the fix is one. */
  suggestion?: { path: string; startLine: number; endLine: number; text: string };
}

export interface ReviewInput {
  /** The findings in scope, in report order. */
  findings: JsonFinding[];
  plan: Plan;
  /** fixChanges(plan): each fix with its line hunks. */
  changes: FixChanges[];
  changed: ChangedFile[];
}

/** One item per finding: the comment body (what races with what, then the fix) and its anchor. */
export function reviewItems(input: ReviewInput): ReviewItem[] {
  const changed = new Map(input.changed.map((c) => [c.path, c]));
  const before = new Map(input.plan.files.map((f) => [toSlash(f.path), f.before]));
  const shownAt = new Map<string, string>();
  return input.findings.map((f) => {
    const change = input.changes.find((c) => c.fix.covers.includes(f.id) || c.fix.findingId === f.id);
    const hash = fixHash(change);
    const mark = marker(f.id, hash);
    const summary = `\`${f.rule}\` on \`${f.map.name}\` at ${toSlash(f.file)}:${f.line}: ${firstLine(f.message)}`;
    const parts = [headline(f), evidence(f)];
    let anchor: Anchor | null = null;
    let suggestion: ReviewItem['suggestion'];
    const already = change ? shownAt.get(change.fix.findingId) : undefined;
    if (!change) {
      parts.push(noFix(f, input.plan));
    } else if (already) {
      parts.push(`**Fix:** the same change fixes this; it is in the comment on ${already}.`);
    } else {
      suggestion = suggestionOf(change, changed, before);
      const title = `**Fix${change.fix.safety === 'review' ? ' (needs review)' : ''}:** ${change.fix.title}`;
      if (suggestion) {
        anchor = { path: suggestion.path, start: suggestion.startLine, end: suggestion.endLine };
        parts.push(title, fenced('suggestion', suggestion.text));
      } else {
        parts.push(title, wholeFix(change, before, f));
      }
      if (change.fix.safety === 'review') parts.push(`_Check before applying:_ ${firstLine(change.fix.reason)}`);
    }
    anchor ??= anchorOf(f, changed);
    if (change && !already) shownAt.set(change.fix.findingId, anchor ? `${anchor.path}:${anchor.end}` : `${toSlash(f.file)}:${f.line}`);
    parts.push(mark);
    const body = parts.join('\n\n');
    const comment: ReviewComment | null = anchor
      ? { path: anchor.path, body, line: anchor.end, side: 'RIGHT', ...(anchor.start < anchor.end ? { start_line: anchor.start, start_side: 'RIGHT' as const } : {}) }
      : null;
    return { findingId: f.id, fixHash: hash, marker: mark, comment, summary, body, path: toSlash(f.file), ...(suggestion ? { suggestion } : {}) };
  });
}

export interface AssembleOptions {
  headSha?: string;
  /** At most this many line comments; the other items are listed in the body. */
  maxComments: number;
  /** Said under the headline (the scope, comments already on the pull request). */
  notes?: string[];
  /** Findings (by id) commented on outside this review (one by one after GitHub refused the review): neither commented nor listed. */
  placedElsewhere?: ReadonlySet<string>;
  /** No line comments at all: every item not placed elsewhere is listed in the body. */
  bodyOnly?: boolean;
}

/** The review to post: the first `maxComments` anchored items as comments, the rest summarised in the body. */
export function assembleReview(items: ReviewItem[], options: AssembleOptions): PrReview {
  const rest = items.filter((i) => !options.placedElsewhere?.has(i.findingId));
  const anchored = options.bodyOnly ? [] : rest.filter((i) => i.comment);
  const commented = anchored.slice(0, Math.max(0, options.maxComments));
  const listed = rest.filter((i) => !commented.includes(i));
  const n = items.length;
  const lines = [REVIEW_MARKER, n === 0 ? '**gomapfix** found no unsafe map use in this change.' : `**gomapfix** found ${n} unsafe map use${n === 1 ? '' : 's'} in this change.`];
  for (const note of options.notes ?? []) lines.push('', note);
  if (listed.length > 0) {
    const why = options.bodyOnly
      ? 'GitHub did not accept their line or file, they are beyond --max-comments, or no line of theirs is in the diff'
      : anchored.length > commented.length
        ? `more than --max-comments ${options.maxComments}, or no line of theirs is in the diff`
        : 'no line of theirs is in the diff';
    lines.push('', `Not commented on line by line (${why}); \`gomapfix fix\` shows their fixes:`, '');
    for (const i of listed) lines.push(`- ${i.summary}`);
  }
  return { ...(options.headSha ? { commit_id: options.headSha } : {}), event: 'COMMENT', body: lines.join('\n'), comments: commented.map((i) => i.comment!) };
}

/** A code block whose fence is longer than any run of backticks in `text` (at least three). */
export function fenced(info: string, text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${fence}`;
}

/** `text` with `hunks` (of this text, sorted or not) applied: whole lines replaced. */
export function applyHunks(text: string, hunks: readonly LineHunk[]): string {
  return replaceLines(splitLines(text), hunks, 1, splitLines(text).length + 1);
}

interface Anchor {
  path: string;
  start: number;
  end: number;
}

function headline(f: JsonFinding): string {
  const low = f.confidence === 'low' ? `\n\n_Low confidence: ${f.confidenceReason ?? 'part of the race is assumed'}._` : '';
  return `**gomapfix: [\`${f.rule}\`](${ruleDocUrl(f.rule)})** on map \`${f.map.name}\` (declared at ${toSlash(f.map.file)}:${f.map.line})\n\n${f.message}${low}`;
}

function evidence(f: JsonFinding): string {
  const shown = f.evidence.filter((e) => e.kind !== 'declaration').slice(0, 4);
  const more = f.evidence.filter((e) => e.kind !== 'declaration').length - shown.length + f.omittedEvidence.access + f.omittedEvidence.context;
  const lines = shown.map((e) => `- ${e.kind} at ${toSlash(e.file)}:${e.line}: ${firstLine(e.message)}`);
  if (more > 0) lines.push(`- and ${more} more (\`gomapfix scan\` lists them)`);
  return lines.join('\n');
}

function noFix(f: JsonFinding, plan: Plan): string {
  const declined = plan.declined.filter((d) => d.findingId === f.id).map((d) => `${d.transform} declines: ${d.reason}`);
  const conflicts = plan.conflicts.filter((c) => c.findingId === f.id).map((c) => `${c.transform}: ${c.reason}`);
  const why = [...declined, ...conflicts][0];
  return `**Fix:** gomapfix has no automatic fix for this one${why ? ` (${firstLine(why)})` : ''}; guard every access of \`${f.map.name}\` with one lock.`;
}

/** The fix as a unified diff in a <details> block, and the command that applies it. */
function wholeFix(change: FixChanges, before: ReadonlyMap<string, string>, f: JsonFinding): string {
  const patches = change.files.map((c) => {
    const old = c.created ? '' : (before.get(toSlash(c.file)) ?? '');
    const path = toSlash(c.file);
    const patch = createTwoFilesPatch(c.created ? '/dev/null' : `a/${path}`, `b/${path}`, old, applyHunks(old, c.hunks), undefined, undefined, { context: 3 });
    return patch.split('\n').slice(1).join('\n');
  });
  const files = change.files.length;
  return [
    `It changes ${files === 1 ? 'lines outside this part of the diff' : `${files} files`}, so it is not a one-click suggestion. Apply it with:`,
    '',
    fenced('sh', applyCommand(change, f)),
    '',
    `<details><summary>The whole fix (${files} file${files === 1 ? '' : 's'})</summary>`,
    '',
    fenced('diff', patches.join('\n')),
    '',
    '</details>',
  ].join('\n');
}

/**
 * `gomapfix fix --write ./dir`: the finding's package directory (a directory, not the file, so the
 * whole package is analysed; its subdirectories are included too, see docs/command-line.md).
 */
export function applyCommand(change: FixChanges, f: JsonFinding): string {
  const dir = posix.dirname(toSlash(f.file));
  return `gomapfix fix --write${change.fix.safety === 'review' ? ' --include-review' : ''} ${dir === '.' ? '.' : `./${dir}`}`;
}

/**
 * The fix as one GitHub suggestion: only when it edits one existing file and every hunk lies in one
 * contiguous range of lines inside one hunk of the diff. A pure insertion takes the line above (or
 * below) into the suggestion, since a suggestion replaces the lines it is on.
 */
function suggestionOf(change: FixChanges, changed: ReadonlyMap<string, ChangedFile>, before: ReadonlyMap<string, string>): ReviewItem['suggestion'] {
  if (change.files.length !== 1) return undefined;
  const only = change.files[0]!;
  const path = toSlash(only.file);
  const file = changed.get(path);
  const text = before.get(path);
  if (only.created || only.hunks.length === 0 || !file || file.status === 'deleted' || text === undefined) return undefined;
  const lines = splitLines(text);
  let start = Math.min(...only.hunks.map((h) => h.startLine));
  let end = Math.max(...only.hunks.map((h) => h.endLine));
  if (start === end) {
    if (start > 1) start--;
    else if (end <= lines.length) end++;
    else return undefined;
  }
  const first = hunkOf(file, start);
  if (!first || hunkOf(file, end - 1) !== first) return undefined;
  const replaced = replaceLines(lines, only.hunks, start, end);
  return { path, startLine: start, endLine: end - 1, text: replaced.replace(/\r?\n$/, '') };
}

/** Lines [start, end) of `lines` (1-based) with the hunks inside that range applied. */
function replaceLines(lines: readonly string[], hunks: readonly LineHunk[], start: number, end: number): string {
  let out = '';
  let i = start;
  for (const h of [...hunks].sort((a, b) => a.startLine - b.startLine)) {
    for (; i < h.startLine; i++) out += lines[i - 1] ?? '';
    out += h.text;
    i = Math.max(i, h.endLine);
  }
  for (; i < end; i++) out += lines[i - 1] ?? '';
  return out;
}

/** Lines with their endings; a final line without one is kept. */
function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** The first line of the finding, else an evidence line, that the diff shows: added lines first. */
function anchorOf(f: JsonFinding, changed: ReadonlyMap<string, ChangedFile>): Anchor | null {
  const site = { file: toSlash(f.file), start: f.line, end: Math.max(f.line, f.endLine) };
  const candidates = [
    ...Array.from({ length: site.end - site.start + 1 }, (_, i) => ({ file: site.file, line: site.start + i })),
    ...f.evidence.filter((e) => e.kind !== 'declaration').map((e) => ({ file: toSlash(e.file), line: e.line })),
    ...f.evidence.filter((e) => e.kind === 'declaration').map((e) => ({ file: toSlash(e.file), line: e.line })),
  ];
  const shown = (c: { file: string; line: number }) => {
    const file = changed.get(c.file);
    return !!file && file.status !== 'deleted' && !!hunkOf(file, c.line);
  };
  const pick = candidates.find((c) => shown(c) && isAdded(changed.get(c.file)!, c.line)) ?? candidates.find(shown);
  if (!pick) return null;
  // The whole site when it spans several lines of one hunk.
  if (pick.file === site.file && pick.line >= site.start && pick.line <= site.end) {
    const file = changed.get(site.file)!;
    if (site.end > site.start && hunkOf(file, site.start) && hunkOf(file, site.start) === hunkOf(file, site.end)) return { path: site.file, start: site.start, end: site.end };
  }
  return { path: pick.file, start: pick.line, end: pick.line };
}

function firstLine(s: string): string {
  return s.split('\n')[0]!;
}

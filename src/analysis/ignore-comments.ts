// Ignore comments: `//gomapfix:ignore [rules] [reason]` and golangci-lint's `//nolint[:linters]`, on
// the finding's line or the line above. See docs/ignore-comments.md.
import { RULE_IDS, type RuleId } from './model.js';

export type IgnoreTable = Map<number, Set<RuleId> | 'all'>;

/** One ignore comment of a file. */
export interface IgnoreComment {
  file: string;
  /** 1-based line of the comment. */
  line: number;
  /** The comment as written, up to the end of the line. */
  text: string;
  /** The rules it silences; an empty set when it names only rules that do not exist. */
  rules: Set<RuleId> | 'all';
  /** Rule names it gives that are not gomapfix rules. */
  unknown: string[];
  /** Says it is for gomapfix (`//gomapfix:ignore`, `//nolint:gomapfix`): a bare `//nolint` may be for other linters. */
  ours: boolean;
  /** It silenced a finding in this run. */
  used: boolean;
}

const GOMAPFIX = /\/\/\s*gomapfix:ignore\b([^\n\r]*)/g;
// golangci-lint's directive form: no space after `//`, linters after `:` up to a space or `//`.
const NOLINT = /\/\/nolint(?::([^\s/]*))?(?=$|[\s/])[^\n\r]*/gm;
const RULE_SHAPED = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)+$/;

/** The ignore comments of one file's text. */
export function ignoreComments(file: string, text: string): IgnoreComment[] {
  const out: IgnoreComment[] = [];
  const lineOf = lineCounter(text);
  if (text.includes('gomapfix:ignore')) {
    for (const m of text.matchAll(GOMAPFIX)) {
      const { rules, unknown } = namedRules(m[1] ?? '');
      out.push({ file, line: lineOf(m.index), text: m[0].trimEnd(), rules, unknown, ours: true, used: false });
    }
  }
  if (text.includes('//nolint')) {
    for (const m of text.matchAll(NOLINT)) {
      const linters = m[1] === undefined ? null : m[1].split(',').map((l) => l.trim().toLowerCase()).filter(Boolean);
      // `//nolint` and `//nolint:all` silence every linter; `//nolint:a,b` only those named.
      const all = linters === null || linters.length === 0 || linters.includes('all');
      const ours = !!linters?.includes('gomapfix');
      if (!all && !ours) continue;
      out.push({ file, line: lineOf(m.index), text: m[0].trimEnd(), rules: 'all', unknown: [], ours, used: false });
    }
  }
  return out.sort((a, b) => a.line - b.line);
}

/**
 * The rules a `//gomapfix:ignore` comment names: its first word when that is a comma-separated
 * list of rule-shaped names (`concurrent-map-write`, `a-b,c-d`), then any further words that are
 * rule ids. Nothing named: every rule. The rest is the reason.
 */
function namedRules(rest: string): { rules: Set<RuleId> | 'all'; unknown: string[] } {
  const words = rest.trim().split(/\s+/).filter(Boolean);
  const first = (words[0] ?? '').split(',').filter(Boolean);
  if (first.length === 0 || !first.every((w) => RULE_SHAPED.test(w))) return { rules: 'all', unknown: [] };
  const named = [...first];
  for (const w of words.slice(1)) {
    const parts = w.split(',').filter(Boolean);
    if (parts.length === 0 || !parts.every(isRuleId)) break;
    named.push(...parts);
  }
  return { rules: new Set(named.filter(isRuleId)), unknown: [...new Set(named.filter((w) => !isRuleId(w)))] };
}

function isRuleId(w: string): w is RuleId {
  return (RULE_IDS as readonly string[]).includes(w);
}

function lineCounter(text: string): (offset: number) => number {
  let line = 1;
  let at = 0;
  return (offset) => {
    // Offsets come in increasing order per regex; restart when they do not.
    if (offset < at) {
      line = 1;
      at = 0;
    }
    for (let i = text.indexOf('\n', at); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
    at = offset;
    return line;
  };
}

/** Lines carrying an ignore comment, with the rules they name (none named: all rules). */
export function ignoredLines(text: string): IgnoreTable {
  const table: IgnoreTable = new Map();
  for (const c of ignoreComments('', text)) {
    const had = table.get(c.line);
    table.set(c.line, had === 'all' || c.rules === 'all' ? 'all' : new Set([...(had ?? []), ...c.rules]));
  }
  return table;
}

export function isIgnored(table: IgnoreTable | undefined, line: number, rule: RuleId): boolean {
  if (!table) return false;
  for (const l of [line, line - 1]) {
    const hit = table.get(l);
    if (hit === 'all' || hit?.has(rule)) return true;
  }
  return false;
}

/** A message about an ignore comment, for the warnings a scan prints (file and 1-based line). */
export interface IgnoreNote {
  file: string;
  line: number;
  message: string;
}

/**
 * The ignore comments of the files a run analyses, and which of them silenced a finding: the
 * source of the unknown-rule warnings and of `--report-unused-ignores`.
 */
export class IgnoreLedger {
  private readonly byFile = new Map<string, Map<number, IgnoreComment[]>>();

  /** Reads the comments of files (a file already registered is kept as it is). */
  register(files: readonly { rel: string; text: string }[]): void {
    for (const f of files) {
      if (this.byFile.has(f.rel)) continue;
      const lines = new Map<number, IgnoreComment[]>();
      for (const c of ignoreComments(f.rel, f.text)) lines.set(c.line, [...(lines.get(c.line) ?? []), c]);
      this.byFile.set(f.rel, lines);
    }
  }

  /** Drops what was read of a file (its text is about to be registered again, as parsed whole). */
  forget(rel: string): void {
    this.byFile.delete(rel);
  }

  /** Whether a comment on `line` or the line above silences `rule` there; such comments count as used. */
  silences(file: string, line: number, rule: RuleId): boolean {
    const lines = this.byFile.get(file);
    if (!lines) return false;
    let hit = false;
    for (const l of [line, line - 1]) {
      for (const c of lines.get(l) ?? []) {
        if (c.rules !== 'all' && !c.rules.has(rule)) continue;
        c.used = true;
        hit = true;
      }
    }
    return hit;
  }

  private all(): IgnoreComment[] {
    return [...this.byFile.values()].flatMap((lines) => [...lines.values()].flat());
  }

  /** One note per unknown rule name, so that a misspelt rule is seen rather than silencing nothing unnoticed. */
  unknownRules(): IgnoreNote[] {
    return this.all().flatMap((c) =>
      c.unknown.map((u) => ({ file: c.file, line: c.line, message: `unknown rule "${u}" in //gomapfix:ignore (rules: ${RULE_IDS.join(', ')}); it silences nothing for it` })),
    );
  }

  /** The comments meant for gomapfix that silenced no finding. */
  unused(): IgnoreNote[] {
    return this.all()
      .filter((c) => c.ours && !c.used)
      .map((c) => ({ file: c.file, line: c.line, message: `unused ignore comment: ${c.text.trim()} silences no finding` }));
  }
}

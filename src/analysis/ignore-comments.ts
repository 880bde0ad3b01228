// `//gomapfix:ignore [rule] [reason]` comments: on the finding's line or the line above.
import { RULE_IDS, type RuleId } from './model.js';

export type IgnoreTable = Map<number, Set<RuleId> | 'all'>;

const IGNORE = /\/\/\s*gomapfix:ignore\b([^\n\r]*)/g;

/** Lines carrying an ignore comment, with the rules they name (none named: all rules). */
export function ignoredLines(text: string): IgnoreTable {
  const table: IgnoreTable = new Map();
  if (!text.includes('gomapfix:ignore')) return table;
  for (const m of text.matchAll(IGNORE)) {
    const line = text.slice(0, m.index).split('\n').length;
    const named = (m[1] ?? '').trim().split(/[\s,]+/).filter((w): w is RuleId => (RULE_IDS as readonly string[]).includes(w));
    table.set(line, named.length > 0 ? new Set(named) : 'all');
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

// `for k, v := range m { body }` becomes `m.Range(func(key, value any) bool { k := …; body; return true })`.
// The body now runs inside a callback: `continue` → `return true`, `break` → `return false`, and
// whatever else would leave the loop (return, goto, a jump to an outer label, defer) cannot be expressed.
import type { SyntaxNode } from '../../src/parse/parser.js';
import type { TextEdit } from '../../src/plan/model.js';
import type { ParsedFile } from '../../src/analysis/package-index.js';
import { descendants, indentAt, lineStart, sameNode, statementsOfList } from '../../src/plan/go-syntax.js';

export interface RangeParts {
  /** The statement replaced by the Range call: the for statement, or its labeled statement. */
  stmt: SyntaxNode;
  forStmt: SyntaxNode;
  body: SyntaxNode;
  label: string | null;
  keyVar: SyntaxNode | null;
  valueVar: SyntaxNode | null;
  /** `for k, v = range m` assigns existing variables. */
  assigns: boolean;
}

/** Why a range body cannot run as a Range callback, or null. */
export type RangeProblem = { node: SyntaxNode; why: string };

export function rangeParts(forStmt: SyntaxNode): RangeParts | null {
  const clause = forStmt.namedChildren.find((c) => c.type === 'range_clause');
  const body = forStmt.childForFieldName('body');
  if (!clause || !body) return null;
  const left = clause.childForFieldName('left');
  const right = clause.childForFieldName('right');
  const vars = left ? (left.type === 'expression_list' ? left.namedChildren : [left]) : [];
  const assigns = !!left && !!right && !forStmt.text.slice(left.endIndex - forStmt.startIndex, right.startIndex - forStmt.startIndex).includes(':=');
  const labeled = forStmt.parent?.type === 'labeled_statement' ? forStmt.parent : null;
  const blank = (n: SyntaxNode | undefined) => (n && !(n.type === 'identifier' && n.text === '_') ? n : null);
  return {
    stmt: labeled ?? forStmt,
    forStmt,
    body,
    label: labeled?.childForFieldName('label')?.text ?? null,
    keyVar: blank(vars[0]),
    valueVar: blank(vars[1]),
    assigns,
  };
}

/**
 * The jumps of a range body that leave the loop, each turned into a return of the callback, and
 * the statements that cannot be expressed inside a callback.
 */
export function rangeJumps(parts: RangeParts): { jumps: { node: SyntaxNode; text: string }[]; problems: RangeProblem[] } {
  const jumps: { node: SyntaxNode; text: string }[] = [];
  const problems: RangeProblem[] = [];
  const inner = new Set<string>();
  for (const d of descendants(parts.body)) if (d.type === 'labeled_statement') inner.add(d.childForFieldName('label')?.text ?? '');
  // Pre-order over an explicit stack; each entry carries the loops and breakables around it.
  const stack: [SyntaxNode, number, number][] = [[parts.body, 0, 0]];
  while (stack.length > 0) {
    const [n, loops, breakables] = stack.pop()!;
    switch (n.type) {
      case 'func_literal':
        continue;
      case 'return_statement':
        problems.push({ node: n, why: 'a return inside the range body would only end the Range callback, not the function' });
        continue;
      case 'goto_statement':
        problems.push({ node: n, why: 'a goto cannot leave the Range callback' });
        continue;
      case 'defer_statement':
        problems.push({ node: n, why: 'a defer inside the range body would run when each Range callback returns, not when the function does' });
        continue;
      case 'break_statement':
      case 'continue_statement': {
        const label = n.namedChildren.find((c) => c.type === 'label_name')?.text;
        const isBreak = n.type === 'break_statement';
        const ours = label ? label === parts.label : isBreak ? breakables === 0 : loops === 0;
        if (ours) jumps.push({ node: n, text: isBreak ? 'return false' : 'return true' });
        else if (label && !inner.has(label)) problems.push({ node: n, why: `${n.text} jumps to an outer statement, which a Range callback cannot do` });
        continue;
      }
    }
    const loop = n.type === 'for_statement' ? 1 : 0;
    const breakable = loop || /switch_statement$|^select_statement$/.test(n.type) ? 1 : 0;
    const children = n.namedChildren;
    for (let i = children.length - 1; i >= 0; i--) stack.push([children[i]!, loops + loop, breakables + breakable]);
  }
  return { jumps, problems };
}

/** A name for a callback parameter that the body, the loop variables and the types do not use. */
function freshName(bases: string[], taken: (n: string) => boolean): string {
  for (const b of bases) if (!taken(b)) return b;
  for (let i = 2; ; i++) if (!taken(`${bases[0]}${i}`)) return `${bases[0]}${i}`;
}

/** `k := key.(K)` when the assertion cannot fail, the comma-ok form otherwise (a nil value, an interface type). */
function binding(name: string, param: string, type: string, assigns: boolean, plain: boolean): string {
  const op = assigns ? '=' : ':=';
  return plain ? `${name} ${op} ${param}.(${type})` : `${name}, _ ${op} ${param}.(${type})`;
}

/** Whether a statement ends the callback by itself, so no `return true` may follow it (vet: unreachable code). */
function terminates(root: SyntaxNode, jumps: { node: SyntaxNode }[]): boolean {
  // Every statement on the stack must terminate (both branches of an if, a block's last
  // statement): an explicit stack, since else-if chains and blocks nest as deep as the input does.
  const stack = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    switch (n.type) {
      case 'break_statement':
      case 'continue_statement':
        if (!jumps.some((j) => sameNode(j.node, n))) return false;
        break;
      case 'expression_statement': {
        const call = n.namedChildren[0];
        if (!(call?.type === 'call_expression' && call.childForFieldName('function')?.text === 'panic')) return false;
        break;
      }
      case 'block': {
        const list = n.namedChildren.find((c) => c.type === 'statement_list');
        const stmts = list ? statementsOfList(list) : [];
        if (stmts.length === 0) return false;
        stack.push(stmts[stmts.length - 1]!);
        break;
      }
      case 'if_statement': {
        const cons = n.childForFieldName('consequence');
        const alt = n.childForFieldName('alternative');
        if (!cons || !alt) return false;
        stack.push(alt, cons);
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

/**
 * The edits that turn a checked range statement into a Range call: the header up to the body's
 * `{`, each jump of the loop, and `return true` plus `)` at the body's `}`.
 */
export function rangeEdits(
  file: ParsedFile,
  parts: RangeParts,
  mapExpr: string,
  keyType: string,
  valueType: string,
  anyType: string,
  jumps: { node: SyntaxNode; text: string }[],
  plain: { key: boolean; value: boolean },
): TextEdit[] {
  const text = file.text;
  const nl = text.includes('\r\n') ? '\r\n' : '\n';
  const outer = indentAt(text, parts.stmt.startIndex);
  const inner = `${outer}\t`;
  const bodyText = parts.body.text;
  const typesText = `${keyType} ${valueType}`;
  const names = [parts.keyVar?.text, parts.valueVar?.text].filter((x): x is string => !!x);
  const taken = (n: string) => names.includes(n) || new RegExp(`\\b${n}\\b`).test(bodyText) || new RegExp(`\\b${n}\\b`).test(typesText);
  const keyParam = parts.keyVar ? freshName(['key', 'k', 'keyAny'], taken) : '_';
  const valueParam = parts.valueVar ? freshName(['value', 'v', 'valueAny'], (n) => taken(n) || n === keyParam) : '_';
  const lines: string[] = [];
  if (parts.keyVar) lines.push(binding(parts.keyVar.text, keyParam, keyType, parts.assigns, plain.key));
  if (parts.valueVar) lines.push(binding(parts.valueVar.text, valueParam, valueType, parts.assigns, plain.value));
  const open = parts.body.startIndex + 1;
  // The body's first statement on the `{` line itself (`{ use(k) }`) moves to a line of its own.
  const eol = text.indexOf('\n', open);
  const sameLine = text[open] !== '}' && /[^\s]/.test(text.slice(open, eol < 0 ? text.length : eol));
  const header = `${mapExpr}.Range(func(${keyParam}, ${valueParam} ${anyType}) bool {${lines.map((l) => `${nl}${inner}${l}`).join('')}${sameLine ? `${nl}${inner}` : ''}`;
  const edits: TextEdit[] = [{ file: file.rel, start: parts.stmt.startIndex, end: open, text: header }];
  for (const j of jumps) edits.push({ file: file.rel, start: j.node.startIndex, end: j.node.endIndex, text: j.text });
  const close = parts.body.endIndex - 1;
  const list = parts.body.namedChildren.find((c) => c.type === 'statement_list');
  const stmts = list ? statementsOfList(list) : [];
  const last = stmts[stmts.length - 1];
  const needsReturn = !last || !terminates(last, jumps);
  const onOwnLine = /^[ \t]*$/.test(text.slice(lineStart(text, close), close));
  const ret = needsReturn ? (onOwnLine ? `\treturn true${nl}${outer}` : `${nl}${inner}return true${nl}${outer}`) : onOwnLine ? '' : `${nl}${outer}`;
  if (ret) edits.push({ file: file.rel, start: close, end: close, text: ret });
  edits.push({ file: file.rel, start: close + 1, end: close + 1, text: ')' });
  return edits;
}

// Reading a `for k, v := range m { … }` statement: its variables, its body, and what the body
// does with the names and the loop.
import type { ResolvedSite } from '../../src/analysis/concurrency.js';
import type { ParsedFile } from '../../src/analysis/package-index.js';
import type { SyntaxNode } from '../../src/parse/parser.js';
import { descendants, enclosingFunction, listedStatementOf, nodeAt } from '../../src/plan/go-syntax.js';

import { decline } from '../../src/plan/decline.js';

export { Decline, decline, lineOf } from '../../src/plan/decline.js';

export interface RangeLoop {
  site: ResolvedSite;
  file: ParsedFile;
  /** The for statement. */
  stmt: SyntaxNode;
  /** The statement of its list that holds it (the for statement, or its label). */
  listed: SyntaxNode;
  /** The ranged map as written: `c.items`, `uploads`. */
  mapText: string;
  keyName: string | null;
  valueName: string | null;
  body: SyntaxNode;
  /** The body's children: statements and comments, in order. */
  bodyItems: SyntaxNode[];
  where: string;
  /** The range's label, and every jump of its function that names it. */
  label: string | null;
  labelUses: SyntaxNode[];
}

/** The range statement of a range site, with the names it declares; declines shapes it cannot read. */
export function rangeLoopOf(site: ResolvedSite, file: ParsedFile): RangeLoop {
  const where = `${site.span.file}:${site.span.line}`;
  let stmt: SyntaxNode | null = nodeAt(file, site.span.start, site.span.end);
  while (stmt && stmt.type !== 'for_statement') stmt = stmt.parent;
  if (!stmt) return decline(`cannot find the range statement at ${where}`);
  const clause = stmt.namedChildren.find((c) => c.type === 'range_clause');
  const body = stmt.childForFieldName('body');
  const right = clause?.childForFieldName('right');
  if (!clause || !body || !right) return decline(`cannot read the range statement at ${where}`);
  const listed = listedStatementOf(stmt);
  if (!listed) return decline(`the range at ${where} is not a statement of a block`);
  const label = listed.type === 'labeled_statement' ? (listed.childForFieldName('label')?.text ?? null) : null;
  const fn = enclosingFunction(stmt);
  const labelUses = label && fn ? [...descendants(fn)].filter((d) => /^(break|continue|goto)_statement$/.test(d.type) && d.namedChildren.some((c) => c.type === 'label_name' && c.text === label)) : [];
  const left = clause.childForFieldName('left');
  const names = left ? (left.type === 'expression_list' ? left.namedChildren : [left]) : [];
  if (left && !file.text.slice(left.endIndex, right.startIndex).includes(':=')) {
    decline(`the range at ${where} assigns to variables declared before it (${left.text} =); only a range that declares its key with := can be split`);
  }
  const ident = (n: SyntaxNode | undefined) => (n && n.type === 'identifier' && n.text !== '_' ? n.text : null);
  const list = body.namedChildren.find((c) => c.type === 'statement_list');
  return {
    site,
    file,
    stmt,
    listed,
    mapText: right.text,
    keyName: ident(names[0]),
    valueName: ident(names[1]),
    body,
    bodyItems: list ? list.namedChildren : [],
    where,
    label,
    labelUses,
  };
}

/** Whether any identifier (not a field name) in the nodes is spelled `name`. */
export function uses(nodes: SyntaxNode[], name: string | null): boolean {
  if (!name) return false;
  for (const n of nodes) for (const d of [n, ...descendants(n)]) if (d.type === 'identifier' && d.text === name) return true;
  return false;
}

/** The variables the nodes assign to (`x = …`, `x++`, `x += …`), by name. */
export function assignedNames(nodes: SyntaxNode[]): Set<string> {
  const out = new Set<string>();
  for (const n of nodes) {
    for (const d of [n, ...descendants(n)]) {
      let targets: SyntaxNode[] = [];
      if (d.type === 'assignment_statement') targets = d.childForFieldName('left')?.namedChildren ?? [];
      else if (d.type === 'inc_statement' || d.type === 'dec_statement') targets = d.namedChildren.slice(0, 1);
      for (const t of targets) {
        let base: SyntaxNode | null = t;
        while (base && base.type !== 'identifier') base = base.namedChildren[0] ?? null;
        if (base) out.add(base.text);
      }
    }
  }
  return out;
}

/**
 * The `break` and `continue` statements inside the body that leave or restart the range loop
 * itself (unlabeled ones not inside a nested loop, switch or select), and any labeled jump.
 */
export function loopJumps(body: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  // Pre-order over an explicit stack; each entry carries the loops and breakables around it.
  const stack: [SyntaxNode, number, number][] = [];
  const pushChildren = (n: SyntaxNode, loops: number, breakables: number) => {
    const children = n.namedChildren;
    for (let i = children.length - 1; i >= 0; i--) stack.push([children[i]!, loops, breakables]);
  };
  pushChildren(body, 0, 0);
  while (stack.length > 0) {
    const [n, loops, breakables] = stack.pop()!;
    if (n.type === 'func_literal') continue;
    if (n.type === 'break_statement' || n.type === 'continue_statement' || n.type === 'goto_statement') {
      const labeled = n.namedChildren.length > 0;
      if (labeled || n.type === 'goto_statement' || (n.type === 'break_statement' ? breakables === 0 : loops === 0)) out.push(n);
      continue;
    }
    const loop = n.type === 'for_statement' ? 1 : 0;
    const breakable = loop || /switch_statement$|^select_statement$/.test(n.type) ? 1 : 0;
    pushChildren(n, loops + loop, breakables + breakable);
  }
  return out;
}

/** `return` statements in the body (not inside function literals). */
export function returnsIn(body: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const stack = [body];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.type === 'func_literal') continue;
    if (n.type === 'return_statement') out.push(n);
    const children = n.namedChildren;
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return out;
}

/** Whether the node lies inside a function literal that is itself inside `outer`. */
export function insideLiteral(n: SyntaxNode, outer: SyntaxNode): boolean {
  for (let cur = n.parent; cur && !(cur.startIndex === outer.startIndex && cur.endIndex === outer.endIndex); cur = cur.parent) {
    if (cur.type === 'func_literal') return true;
  }
  return false;
}

/** Moves a statement's continuation lines from one indentation to another (not inside raw strings). */
export function reindent(text: string, from: string, to: string): string {
  if (from === to || text.includes('`')) return text;
  return text.split('\n').map((line, i) => (i > 0 && line.startsWith(from) ? to + line.slice(from.length) : line)).join('\n');
}

export { splitMapType } from '../../src/plan/go-syntax.js';

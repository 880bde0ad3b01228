// Check-then-act pairs that sync.Map can make one atomic call: a comma-ok read of m[k] followed,
// with nothing in between, by a store of m[k] only when the key was missing (LoadOrStore), or by a
// delete of m[k] only when it was present (LoadAndDelete). Anything looser stays a decline of
// plan.ts (a read-modify-write, or a pair with other work between the check and the act).
import type { SyntaxNode } from '../../src/parse/parser.js';
import type { PackageView } from '../../src/plan/transform.js';
import { descendants, sameNode, statementsOfList, unparen } from '../../src/plan/go-syntax.js';
import { decline, firstLine, where, type MapAccess } from './accesses.js';

type Load = Extract<MapAccess, { kind: 'load' }>;
type Store = Extract<MapAccess, { kind: 'store' }>;
type Delete = Extract<MapAccess, { kind: 'delete' }>;

/** One read and one write of the same entry that become one sync.Map call. */
export interface CheckThenAct {
  op: 'LoadOrStore' | 'LoadAndDelete';
  load: Load;
  act: Store | Delete;
  /** The value LoadOrStore stores. */
  value: SyntaxNode | null;
  /** The replaced region, and whether the call's result keeps the comma-ok read's variables. */
  replace: { node: SyntaxNode; form: 'index' | 'statement' };
  /** The names of the read's left-hand side that become `_` (unused once the act is gone). */
  blanks: SyntaxNode[];
  /** Statements that go away (the act, `v = X`, or the whole if). */
  remove: SyntaxNode[];
}

const norm = (s: string) => s.replace(/\s+/g, '');

/** Whether an expression names one value without running anything: `k`, `r.ID`, `"a"`, `42`. */
export function isPureKey(n: SyntaxNode): boolean {
  const e = unparen(n);
  if (e.type === 'identifier') return true;
  if (/^(interpreted_string_literal|raw_string_literal|int_literal|float_literal|rune_literal|true|false)$/.test(e.type)) return true;
  if (e.type === 'selector_expression') {
    const op = e.childForFieldName('operand');
    return !!op && isPureKey(op);
  }
  return false;
}

/**
 * Why evaluating the value every time (LoadOrStore takes it whether or not the key is present)
 * could do something the original did not, or null. Allocation is fine: literals, composite
 * literals, `&T{…}`, make, new, conversions to a basic or package type, func literals, names.
 */
export function valueSideEffect(n: SyntaxNode, pkg: PackageView): string | null {
  const stack = [n];
  while (stack.length > 0) {
    const e = unparen(stack.pop()!);
    switch (e.type) {
      case 'identifier':
      case 'field_identifier':
      case 'type_identifier':
      case 'package_identifier':
      case 'interpreted_string_literal':
      case 'raw_string_literal':
      case 'int_literal':
      case 'float_literal':
      case 'imaginary_literal':
      case 'rune_literal':
      case 'true':
      case 'false':
      case 'nil':
      case 'iota':
      case 'func_literal':
        continue;
      case 'selector_expression':
        stack.push(e.childForFieldName('operand')!);
        continue;
      case 'composite_literal': {
        const body = e.childForFieldName('body');
        for (const el of body ? [...descendants(body)] : []) {
          if (el.type === 'literal_element' && el.parent?.type !== 'keyed_element') stack.push(...el.namedChildren);
          if (el.type === 'keyed_element') {
            const [k, v] = el.namedChildren;
            // A struct field name needs no check; a map key or index does.
            if (k && !(k.namedChildren[0]?.type === 'identifier' && e.childForFieldName('type')?.type !== 'map_type')) stack.push(...k.namedChildren);
            if (v) stack.push(...v.namedChildren);
          }
        }
        continue;
      }
      case 'unary_expression': {
        const op = e.child(0)?.type;
        if (op === '<-') return `receives from a channel (${firstLine(e)})`;
        stack.push(e.childForFieldName('operand')!);
        continue;
      }
      case 'binary_expression': {
        const op = e.child(1)?.type;
        if (op === '/' || op === '%') return `may divide by zero (${firstLine(e)})`;
        stack.push(e.childForFieldName('left')!, e.childForFieldName('right')!);
        continue;
      }
      case 'call_expression': {
        const fn = e.childForFieldName('function');
        const name = fn?.text ?? '';
        const args = e.childForFieldName('arguments')?.namedChildren ?? [];
        const conversion = /^(string|bool|byte|rune|u?int(8|16|32|64)?|uintptr|float(32|64)|complex(64|128))$/.test(name) || pkg.index.namedTypes.has(name) || pkg.index.structs.has(name);
        if (name === 'make' || name === 'new' || conversion || fn?.type === 'parenthesized_expression' && /^\(\s*[*\[]/.test(fn.text)) {
          // make's and new's first argument is a type.
          stack.push(...args.filter((_a, i) => !((name === 'make' || name === 'new') && i === 0)));
          continue;
        }
        return sameNode(e, unparen(n)) ? 'is a function call' : `calls ${firstLine(e)}`;
      }
      default:
        return `contains ${firstLine(e)}, which is not known to be free of side effects`;
    }
  }
  return null;
}

/** `!ok` (negated) or `ok`: the condition tests exactly the read's ok variable. */
function testsOk(cond: SyntaxNode | null, ok: string, negated: boolean): boolean {
  if (!cond) return false;
  const c = unparen(cond);
  if (!negated) return c.type === 'identifier' && c.text === ok;
  return c.type === 'unary_expression' && c.child(0)?.type === '!' && unparen(c.childForFieldName('operand')!).type === 'identifier' && unparen(c.childForFieldName('operand')!).text === ok;
}

function bodyStatements(ifStmt: SyntaxNode): SyntaxNode[] {
  const list = ifStmt.childForFieldName('consequence')?.namedChildren.find((c) => c.type === 'statement_list');
  return list ? statementsOfList(list) : [];
}

/** Identifiers named `name` in the nodes, not inside any of `skip`. */
function mentions(nodes: SyntaxNode[], name: string, skip: SyntaxNode[]): boolean {
  const inSkip = (d: SyntaxNode) => skip.some((s) => d.startIndex >= s.startIndex && d.endIndex <= s.endIndex);
  for (const n of nodes) for (const d of [n, ...descendants(n)]) if (d.type === 'identifier' && d.text === name && !inSkip(d)) return true;
  return false;
}

/** A plain single `=` assignment `target = value`. */
function plainAssign(s: SyntaxNode | undefined): { left: SyntaxNode; right: SyntaxNode } | null {
  if (s?.type !== 'assignment_statement' || s.child(1)?.type !== '=') return null;
  const l = s.childForFieldName('left')?.namedChildren ?? [];
  const r = s.childForFieldName('right')?.namedChildren ?? [];
  return l.length === 1 && r.length === 1 ? { left: l[0]!, right: r[0]! } : null;
}

/**
 * The check-then-act pairs among the accesses, each checked to be exactly the shape the docs
 * name (docs/transforms/sync-map.md), or a decline when the shape is one but its value cannot be
 * evaluated eagerly. `unlocked(a, b)`: the pair is not already made atomic by a lock.
 */
export function checkThenActs(accesses: MapAccess[], pkg: PackageView, unlocked: (a: MapAccess, b: MapAccess) => boolean): CheckThenAct[] {
  const out: CheckThenAct[] = [];
  const acts = accesses.filter((a): a is Store | Delete => a.kind === 'store' || a.kind === 'delete');
  for (const load of accesses) {
    if (load.kind !== 'load' || !load.commaOk) continue;
    if (!isPureKey(load.key)) continue;
    const holder = load.index.parent?.parent;
    if (!holder) continue;
    const lefts = holder.type === 'short_var_declaration' || holder.type === 'assignment_statement' ? (holder.childForFieldName('left')?.namedChildren ?? []) : [];
    if (lefts.length !== 2 || holder.type === 'assignment_statement' && holder.child(1)?.type !== '=') continue;
    const [vNode, okNode] = lefts as [SyntaxNode, SyntaxNode];
    if (okNode.type !== 'identifier' || okNode.text === '_' || vNode.type !== 'identifier') continue;
    const v = vNode.text === '_' ? null : vNode.text;
    const ok = okNode.text;
    const sameEntry = (a: Store | Delete) => sameNode(a.fn, load.fn) && norm(a.ref.text) === norm(load.ref.text) && norm(a.key.text) === norm(load.key.text) && unlocked(load, a);
    const actAt = (stmt: SyntaxNode | undefined): Store | Delete | null => {
      if (!stmt) return null;
      return acts.find((a) => sameEntry(a) && sameNode(a.kind === 'store' ? a.stmt : a.call.parent, stmt)) ?? null;
    };
    // Where the read sits: the initialiser of an if, or a statement followed by the if.
    const inInit = holder.parent?.type === 'if_statement' && sameNode(holder.parent.childForFieldName('initializer'), holder);
    let ifStmt: SyntaxNode | null = null;
    if (inInit) ifStmt = holder.parent;
    else if (holder.parent?.type === 'statement_list') {
      const stmts = statementsOfList(holder.parent);
      const i = stmts.findIndex((s) => sameNode(s, holder));
      if (stmts[i + 1]?.type === 'if_statement' && !stmts[i + 1]!.childForFieldName('initializer')) {
        ifStmt = stmts[i + 1]!;
      }
    }
    if (!ifStmt || ifStmt.childForFieldName('alternative')) continue;
    const cond = ifStmt.childForFieldName('condition');
    const body = bodyStatements(ifStmt);
    const at = where(load.file, load.index);
    const scope = holder.parent?.type === 'statement_list' ? statementsOfList(holder.parent).filter((s) => s.startIndex > holder.endIndex) : [];

    // LoadOrStore: `if !ok { [v = X;] m[k] = v|X; rest }`.
    if (testsOk(cond, ok, true)) {
      let value: SyntaxNode | null = null;
      let act: Store | Delete | null = null;
      const remove: SyntaxNode[] = [];
      const first = plainAssign(body[0]);
      if (v && first && first.left.type === 'identifier' && first.left.text === v) {
        act = actAt(body[1]);
        if (act?.kind === 'store' && unparen(act.value).type === 'identifier' && unparen(act.value).text === v) {
          value = first.right;
          remove.push(body[0]!, body[1]!);
        } else act = null;
      } else {
        act = actAt(body[0]);
        if (act?.kind === 'store') {
          value = act.value;
          remove.push(body[0]!);
        } else act = null;
      }
      if (!act || !value) continue;
      if (mentions([value], ok, []) || (v && mentions([value], v, []))) continue;
      const rest = body.filter((s) => !remove.some((r) => sameNode(r, s)));
      const why = valueSideEffect(value, pkg);
      if (why) {
        decline(`${where(act.file, act.stmt)} stores ${act.ref.text}[${act.key.text}] only when ${at} found it missing; LoadOrStore would make the pair atomic, but it evaluates its value even when the key is present, and ${firstLine(value)} ${why}, which would then run every time (use mutex-wrap)`);
      }
      // v keeps its meaning only where it was set to the stored value; elsewhere it was the zero value.
      if (v && !remove.some((r) => plainAssign(r)?.left.text === v) && (mentions(rest, v, []) || mentions(scope, v, [ifStmt]))) {
        decline(`${v} from ${at} is the zero value when ${act.ref.text}[${act.key.text}] was missing, but LoadOrStore would give it the stored value (${where(act.file, act.stmt)}); set ${v} in the if by hand first`);
      }
      if (inInit && v && mentions(rest, v, [])) continue;
      out.push(fuse('LoadOrStore', load, act, value, holder, inInit, ifStmt, rest, remove, scope));
      continue;
    }
    // LoadAndDelete: `if ok { delete(m, k); rest }`, or `if !ok { …; return }` then `delete(m, k)`.
    if (testsOk(cond, ok, false)) {
      const act = actAt(body[0]);
      if (act?.kind !== 'delete') continue;
      const rest = body.slice(1);
      out.push(fuse('LoadAndDelete', load, act, null, holder, inInit, ifStmt, rest, [body[0]!], scope));
      continue;
    }
  }
  // `v, ok := m[k]; if !ok { …; return … }; delete(m, k)`: the delete runs only when the key was present.
  for (const load of accesses) {
    if (load.kind !== 'load' || !load.commaOk || !isPureKey(load.key) || out.some((f) => f.load === load)) continue;
    const holder = load.index.parent?.parent;
    if (holder?.type !== 'short_var_declaration' && holder?.type !== 'assignment_statement') continue;
    if (holder.parent?.type !== 'statement_list') continue;
    const lefts = holder.childForFieldName('left')?.namedChildren ?? [];
    if (lefts.length !== 2 || lefts[1]!.type !== 'identifier' || lefts[1]!.text === '_' || lefts[0]!.type !== 'identifier') continue;
    const stmts = statementsOfList(holder.parent);
    const i = stmts.findIndex((s) => sameNode(s, holder));
    const ifStmt = stmts[i + 1];
    const next = stmts[i + 2];
    if (ifStmt?.type !== 'if_statement' || ifStmt.childForFieldName('initializer') || ifStmt.childForFieldName('alternative')) continue;
    if (!testsOk(ifStmt.childForFieldName('condition'), lefts[1]!.text, true)) continue;
    const body = bodyStatements(ifStmt);
    const last = body[body.length - 1];
    if (last?.type !== 'return_statement' && !(last?.type === 'expression_statement' && /^panic\(/.test(last.text))) continue;
    if (body.some((s) => [...descendants(s)].some((d) => d.type === 'identifier' && d.text === load.ref.text.split('.').pop()))) continue;
    const act = acts.find((a) => a.kind === 'delete' && sameNode(a.call.parent, next) && sameNode(a.fn, load.fn) && norm(a.ref.text) === norm(load.ref.text) && norm(a.key.text) === norm(load.key.text) && unlocked(load, a));
    if (!act) continue;
    const scope = stmts.slice(i + 1).filter((s) => !sameNode(s, next));
    out.push(fuse('LoadAndDelete', load, act, null, holder, false, null, [], [next!], scope));
  }
  return out;
}

function fuse(
  op: CheckThenAct['op'],
  load: Load,
  act: Store | Delete,
  value: SyntaxNode | null,
  holder: SyntaxNode,
  inInit: boolean,
  ifStmt: SyntaxNode | null,
  rest: SyntaxNode[],
  remove: SyntaxNode[],
  scope: SyntaxNode[],
): CheckThenAct {
  const lefts = holder.childForFieldName('left')!.namedChildren;
  // The whole if goes when nothing but the act is left in it.
  if (ifStmt && rest.length === 0) {
    if (inInit) return { op, load, act, value, replace: { node: ifStmt, form: 'statement' }, blanks: [], remove: [] };
    remove = [ifStmt];
  }
  // Names used nowhere once the act (and perhaps the if) is gone become `_`, as Go requires.
  const skip = [...remove, holder];
  const blanks = inInit ? [] : lefts.filter((n) => n.text !== '_' && !mentions([...scope, ...rest], n.text, skip));
  if (!inInit && blanks.length === 1 && holder.type === 'short_var_declaration') {
    const kept = lefts.find((n) => !blanks.some((b) => sameNode(b, n)) && n.text !== '_');
    // `_, ok :=` needs ok to be new: it is, unless the function names it before this statement.
    const fn = load.fn;
    if (kept && fn && [...descendants(fn)].some((d) => d.type === 'identifier' && d.text === kept.text && d.endIndex <= holder.startIndex)) {
      decline(`${where(load.file, holder)}: after the rewrite to ${op} only ${kept.text} of ${firstLine(holder)} stays used, and it is declared before; rewrite this read by hand`);
    }
  }
  const allBlank = lefts.every((n) => n.text === '_' || blanks.some((b) => sameNode(b, n)));
  return {
    op,
    load,
    act,
    value,
    replace: allBlank && !inInit ? { node: holder, form: 'statement' } : { node: load.index, form: 'index' },
    blanks,
    remove,
  };
}

// mutex-wrap, wrapper style: the map becomes a mutex-wrapped type (locked-map.ts) and every
// access in the package becomes a method call: m[k] = v → m.Store(k, v), m[k] → m.Get(k),
// v, ok := m[k] → m.Load(k), m[k]++ → m.Update(…), delete → Delete, len → Len, range → Range or
// a range over Snapshot(). A fix is all or nothing: one access it cannot express declines it.
import type { Finding, MapDecl } from '../../src/analysis/model.js';
import type { ResolvedSite } from '../../src/analysis/concurrency.js';
import type { ParsedFile } from '../../src/analysis/package-index.js';
import type { SharedMap } from '../../src/analysis/rules/shared-map.js';
import type { SyntaxNode } from '../../src/parse/parser.js';
import type { Fix, TextEdit } from '../../src/plan/model.js';
import { addressTakenSites, exportedMapApi, goAtLeast, sharedMapOf, type PackageView, type TransformResult } from '../../src/plan/transform.js';
import { ancestorOfType, descendants, enclosingFunction, isReferenceType, listedStatementOf, lockHazards, nodeAt, sameNode, splitMapType, writeThroughLoadedValue } from '../../src/plan/go-syntax.js';
import { compositeLiteralsOf, inTreeOrder, leavesNamed } from '../../src/plan/occurrences.js';
import { packageDeclEdit } from '../../src/plan/package-decls.js';
import { copyHazards, receiverEdits } from './copylocks.js';
import { lockedMapType, type LockedMapType } from './locked-map.js';
import { checkThenAct as checkThenActPair, mutableValues } from './inline.js';
import { decline, declining, lineOf, siteAt as at } from '../../src/plan/decline.js';
import { isOwnerLock } from '../../src/analysis/owner-locks.js';

export function planWrapper(finding: Finding, pkg: PackageView): TransformResult {
  return declining(() => buildWrapper(finding, pkg));
}

interface Ctx {
  pkg: PackageView;
  decl: MapDecl;
  files: Map<string, ParsedFile>;
  type: LockedMapType;
  key: string;
  value: string;
  edits: TextEdit[];
  /** Why the fix needs a reviewer, if it does. */
  review: string[];
  /** Spans of the nodes already rewritten: a mention of the map outside them was not understood. */
  covered: { file: string; start: number; end: number }[];
}

function buildWrapper(finding: Finding, pkg: PackageView): Fix {
  const shared = sharedMapOf(finding, pkg) ?? decline('the package facts do not know this map');
  const decl = shared.decl;
  if (decl.kind === 'param') decline(`${decl.name} is a parameter: the map belongs to the callers; fix the map they pass`);
  if (decl.kind === 'named-type') decline(`${decl.name} is a named map type with methods: replacing it with a wrapper would change its methods' receiver, and no rewrite can keep them; turn it into a struct holding the map and a mutex by hand`);
  const api = exportedMapApi(decl, pkg);
  if (api) decline(`changing the type of ${decl.name} would break its importers (${api}); mutex-wrap --style inline keeps the type`);
  const addressed = addressTakenSites(shared, pkg)[0];
  if (addressed) decline(`${addressed.why}; the pointer would point to the wrapper, not to a map[K]V`);
  const escape = shared.sites.find((s) => s.kind === 'escape');
  if (escape) {
    const how = { return: 'returns it', send: 'sends it on a channel', store: 'stores it in another variable', callback: 'passes it to a function value', call: 'passes it to a function expecting a map' }[escape.escape ?? 'call'];
    decline(`${at(escape)} ${how} (${escape.text}): the wrapper is not a map[K]V, so the map cannot be handed out as one (snapshot-copy hands out a copy instead)`);
  }
  // The wrapper's lock covers each map operation, not what is done with a value loaded from the
  // map; values changed in place under another lock would race with reads after Get.
  const inPlace = mutableValues(shared, decl, pkg);
  if (inPlace) decline(`the map's values are changed in place under a lock (${inPlace}); the wrapper's own lock covers each map operation, not the later use of a value loaded from it, so that would still race; mutex-wrap --style inline keeps the map's lock over those uses`);
  const kv = splitMapType(decl.type) ?? decline(`the map's type ${decl.type} is not spelled as map[K]V at its declaration`);
  const generic = goAtLeast(pkg.goVersion, 18);
  const ctx: Ctx = {
    pkg,
    decl,
    files: new Map(pkg.files.map((f) => [f.rel, f])),
    type: lockedMapType(pkg, kv.key, kv.value, generic),
    key: kv.key,
    value: kv.value,
    edits: [],
    review: [],
    covered: [],
  };
  const imports: Record<string, string[]> = {};
  if (ctx.type.source) {
    const emitted = packageDeclEdit(pkg, ctx.type.name, ctx.type.source) ?? decline(`the package already declares ${ctx.type.name}`);
    ctx.edits.push(...emitted.edits);
    imports[emitted.file] = ['sync'];
  }
  declaration(ctx);
  if (decl.kind === 'field') {
    const owner = decl.name.split('.')[0]!;
    const copy = copyHazards(owner, pkg);
    if (copy.decline) decline(copy.decline);
    const receivers = receiverEdits(owner, pkg);
    if (receivers.length > 0) {
      ctx.edits.push(...receivers);
      ctx.review.push(`${owner} now holds a mutex, so its ${receivers.length} value receiver${receivers.length === 1 ? ' becomes a pointer receiver' : 's become pointer receivers'}; callers that relied on a copy see shared state`);
    }
    constructions(ctx, owner);
  }
  for (const s of shared.sites) siteEdits(ctx, s);
  checkEveryMentionRewritten(ctx, shared);
  checkThenAct(ctx, shared);

  const covers = pkg.findings.filter((f) => f.map.key === decl.key).map((f) => f.id);
  const accesses = shared.sites.length;
  return {
    findingId: finding.id,
    covers: covers.includes(finding.id) ? covers : [finding.id, ...covers],
    transform: 'mutex-wrap',
    title: `mutex-wrap (wrapper): ${decl.name} becomes ${ctx.type.use}; ${accesses} access${accesses === 1 ? " becomes a method call" : "es become method calls"}`,
    safety: ctx.review.length > 0 ? 'review' : 'safe',
    edits: ctx.edits,
    imports,
    reason:
      `no lock guards every access of ${decl.name}; it becomes a ${generic ? 'generic' : 'concrete (the go directive predates generics)'} mutex-wrapped type whose methods each lock once, so no access can forget the lock` +
      (ctx.type.source ? `; ${ctx.type.name} is declared once for the package` : `; it reuses the ${ctx.type.name} already declared in the package`) +
      (ctx.review.length > 0 ? `. Review: ${ctx.review.join('; ')}` : ''),
  };
}

function fileOf(ctx: Ctx, rel: string): ParsedFile {
  return ctx.files.get(rel) ?? decline(`${rel} is not among the scanned files`);
}

function edit(ctx: Ctx, file: ParsedFile, node: SyntaxNode | { startIndex: number; endIndex: number }, text: string): void {
  ctx.edits.push({ file: file.rel, start: node.startIndex, end: node.endIndex, text });
}

function cover(ctx: Ctx, file: ParsedFile, node: SyntaxNode): void {
  ctx.covered.push({ file: file.rel, start: node.startIndex, end: node.endIndex });
}

/** The wrapped value in place of a map-valued expression: `make(…)` → `T{m: make(…)}`, `nil` → `T{}`. */
function wrapValue(ctx: Ctx, value: SyntaxNode): string {
  return value.text === 'nil' ? `${ctx.type.use}{}` : `${ctx.type.use}{m: ${value.text}}`;
}

/** Rewrites the declaration: the field's or variable's type, and its initial value. */
function declaration(ctx: Ctx): void {
  const { decl } = ctx;
  const file = fileOf(ctx, decl.span.file);
  let node: SyntaxNode | null = nodeAt(file, decl.span.start, decl.span.end);
  while (node && !['field_declaration', 'var_spec', 'short_var_declaration', 'parameter_declaration'].includes(node.type)) node = node.parent;
  if (!node) return decline(`the declaration of ${decl.name} (${at(decl)}) is not a field, var or := declaration`);
  cover(ctx, file, node);
  const names = node.type === 'short_var_declaration' ? (node.childForFieldName('left')?.namedChildren ?? []) : node.namedChildren.filter((c) => c.type === 'field_identifier' || c.type === 'identifier');
  if (names.length !== 1) decline(`${at(decl)} declares ${names.map((n) => n.text).join(', ')} together; split the declaration first`);
  const type = node.childForFieldName('type');
  if (type) {
    if (!splitMapType(type.text)) decline(`${at(decl)} spells the map's type as ${type.text}, not map[K]V`);
    edit(ctx, file, type, ctx.type.use);
  }
  const values = node.type === 'short_var_declaration' ? node.childForFieldName('right') : node.childForFieldName('value');
  if (values) {
    if (values.namedChildCount !== 1) decline(`${at(decl)} initialises ${decl.name} with several values`);
    const v = values.namedChild(0)!;
    // `var m map[K]V = make(…)` keeps its (now wrapper) type; `var m = make(…)` and `m := make(…)` get the wrapper value.
    edit(ctx, file, v, wrapValue(ctx, v));
  }
}

/** Composite literals of the owning struct that set the field: `&Store{items: make(…)}`. */
function constructions(ctx: Ctx, owner: string): void {
  const field = ctx.decl.name.split('.').pop()!;
  const st = ctx.pkg.index.structs.get(owner);
  for (const file of ctx.pkg.files) {
    for (const n of compositeLiteralsOf(file, owner, true)) {
      const body = n.childForFieldName('body');
      const elems = body?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
      if (elems.length === 0) continue;
      if (elems.some((e) => e.type !== 'keyed_element')) {
        // Positional: the field's position among the struct's fields gets the wrapped value.
        if (!st) decline(`${lineOf(file, n.startIndex)} builds ${owner} with positional fields`);
        const pos = [...st!.fields.keys()].indexOf(field);
        const el = elems[pos] ?? decline(`${lineOf(file, n.startIndex)} builds ${owner} with positional fields that do not match its declaration`);
        edit(ctx, file, el, wrapValue(ctx, el.type === 'literal_element' ? (el.namedChild(0) ?? el) : el));
        cover(ctx, file, el);
        continue;
      }
      for (const e of elems) {
        const key = e.namedChild(0);
        const value = e.namedChild(1);
        if (!key || !value || key.text !== field) continue;
        const v = value.type === 'literal_element' ? (value.namedChild(0) ?? value) : value;
        edit(ctx, file, v, wrapValue(ctx, v));
        cover(ctx, file, e);
      }
    }
  }
}

/** The node spelling the map itself at a site (`s.items`, `counts`, `m`). */
function mapOperand(ctx: Ctx, site: ResolvedSite, node: SyntaxNode): SyntaxNode {
  const name = ctx.decl.name.split('.').pop()!;
  const field = ctx.decl.kind === 'field';
  for (const n of [node, ...descendants(node)]) {
    if (field && n.type === 'selector_expression' && n.childForFieldName('field')?.text === name) return n;
    if (!field && n.type === 'identifier' && n.text === name) return n;
  }
  return decline(`${at(site)} reaches ${ctx.decl.name} as ${site.text}, through a parameter or another variable: a function that takes a map[K]V cannot take the wrapper (pass m.Snapshot() by hand where a copy will do)`);
}

function siteEdits(ctx: Ctx, s: ResolvedSite): void {
  // A site inside a rewrite already made (the old value in `m[k] = m[k] + 1`) is part of it.
  if (ctx.covered.some((c) => c.file === s.span.file && c.start <= s.span.start && s.span.end <= c.end)) return;
  const file = fileOf(ctx, s.span.file);
  const node = nodeAt(file, s.span.start, s.span.end);
  switch (s.kind) {
    case 'write':
      if (s.raw.reassign) return reassignment(ctx, s, file, node);
      return write(ctx, s, file, node);
    case 'read':
      return read(ctx, s, file, node);
    case 'delete':
    case 'clear': {
      const call = ancestorOfType(node, 'call_expression') ?? decline(`${at(s)}: ${s.text} is not a call of ${s.kind}`);
      const args = call.childForFieldName('arguments')!.namedChildren;
      const m = mapOperand(ctx, s, args[0]!);
      if (s.kind === 'clear' || !args[1]) {
        cover(ctx, file, call);
        return edit(ctx, file, call, `${m.text}.Clear()`);
      }
      return splice(ctx, file, call.startIndex, args[1].startIndex, `${m.text}.Delete(`);
    }
    case 'range':
      return range(ctx, s, file, node);
    default:
      decline(`${at(s)} uses the map in a way the wrapper cannot express (${s.text})`);
  }
}

/** Replaces [start, end) and marks it rewritten; what follows (a key, a value) keeps its own rewrites. */
function splice(ctx: Ctx, file: ParsedFile, start: number, end: number, text: string): void {
  ctx.edits.push({ file: file.rel, start, end, text });
  ctx.covered.push({ file: file.rel, start, end });
}

/** The index expression `X[k]` of a site, with X the map operand. */
function indexOf(s: ResolvedSite, node: SyntaxNode): { index: SyntaxNode; map: SyntaxNode; key: SyntaxNode } {
  const index = ancestorOfType(node, 'index_expression') ?? decline(`${at(s)}: ${s.text} is not an index expression`);
  const map = index.childForFieldName('operand')!;
  const key = index.childForFieldName('index') ?? decline(`${at(s)}: ${s.text} has no key`);
  return { index, map, key };
}

/** `s.m = make(…)`: in construction, the wrapped value; a reset to an empty map, Clear(). */
function reassignment(ctx: Ctx, s: ResolvedSite, file: ParsedFile, node: SyntaxNode): void {
  const stmt = ancestorOfType(node, 'assignment_statement') ?? decline(`${at(s)} replaces the map in a way the wrapper cannot express (${s.text})`);
  const left = stmt.childForFieldName('left')!.namedChildren;
  const right = stmt.childForFieldName('right')!.namedChildren;
  if (left.length !== 1 || right.length !== 1) decline(`${at(s)} replaces the map in a multiple assignment`);
  const value = right[0]!;
  cover(ctx, file, stmt);
  if (ctx.pkg.rules.finder.isConstruction(s)) return edit(ctx, file, value, wrapValue(ctx, value));
  if (isEmptyMap(value.text) || value.text === 'nil') return edit(ctx, file, stmt, `${left[0]!.text}.Clear()`);
  decline(`${at(s)} replaces the whole map (${stmt.text}) while it is shared; the wrapper can only be cleared`);
}

function isEmptyMap(t: string): boolean {
  return /^make\(\s*map\[[^]*\][^,]*(?:,[^,]*)?\)$/.test(t) || /^map\[[^]*\][^{]*\{\s*\}$/.test(t);
}

function write(ctx: Ctx, s: ResolvedSite, file: ParsedFile, node: SyntaxNode): void {
  const { index, map, key } = indexOf(s, node);
  const parent = index.parent;
  if (parent?.type === 'inc_statement' || parent?.type === 'dec_statement') {
    cover(ctx, file, parent);
    return edit(ctx, file, parent, update(ctx, s, map, key, (old) => `${old} ${parent.type === 'inc_statement' ? '+' : '-'} 1`, []));
  }
  const list = parent?.type === 'expression_list' ? parent : null;
  const stmt = list?.parent;
  if (!list || stmt?.type !== 'assignment_statement' || !sameNode(stmt.childForFieldName('left'), list)) {
    return decline(`${at(s)} writes ${s.text} in a way the wrapper cannot express`);
  }
  const right = stmt.childForFieldName('right')!.namedChildren;
  if (list.namedChildCount !== 1 || right.length !== 1) decline(`${at(s)} writes the map in a multiple assignment (${stmt.text.split('\n')[0]})`);
  const rhs = right[0]!;
  const op = stmt.child(1)!.text;
  if (op === '=') {
    // m[k] = m[k] + x, m[k] = append(m[k], x): a read-modify-write of the same entry stays one step.
    const same = [rhs, ...descendants(rhs)].filter((d) => d.type === 'index_expression' && d.childForFieldName('operand')?.text === map.text && d.childForFieldName('index')?.text === key.text);
    if (same.length > 0) {
      cover(ctx, file, stmt);
      return edit(ctx, file, stmt, update(ctx, s, map, key, (old) => replaceNodes(file.text, rhs, same, old), same));
    }
    splice(ctx, file, stmt.startIndex, key.startIndex, `${map.text}.Store(`);
    splice(ctx, file, key.endIndex, rhs.startIndex, ', ');
    return splice(ctx, file, rhs.endIndex, stmt.endIndex, ')');
  }
  const binop = op.slice(0, -1);
  cover(ctx, file, stmt);
  return edit(ctx, file, stmt, update(ctx, s, map, key, (old) => `${old} ${binop} ${paren(rhs)}`, []));
}

function paren(n: SyntaxNode): string {
  return /^(identifier|int_literal|float_literal|interpreted_string_literal|raw_string_literal|call_expression|selector_expression|index_expression|parenthesized_expression)$/.test(n.type) ? n.text : `(${n.text})`;
}

/** The text of `root` with `nodes` replaced by `by`. */
function replaceNodes(text: string, root: SyntaxNode, nodes: SyntaxNode[], by: string): string {
  let out = '';
  let pos = root.startIndex;
  for (const n of [...nodes].sort((a, b) => a.startIndex - b.startIndex)) {
    out += text.slice(pos, n.startIndex) + by;
    pos = n.endIndex;
  }
  return out + text.slice(pos, root.endIndex);
}

/**
 * `m.Update(k, func(old V) V { return <expr> })`. The function runs under the write lock, so the
 * expression may not call out or touch the map again.
 */
function update(ctx: Ctx, s: ResolvedSite, map: SyntaxNode, key: SyntaxNode, expr: (old: string) => string, replaced: SyntaxNode[]): string {
  const file = fileOf(ctx, s.span.file);
  const stmt = ancestorOfType(map, 'inc_statement') ?? ancestorOfType(map, 'dec_statement') ?? ancestorOfType(map, 'assignment_statement')!;
  const rhs = stmt.childForFieldName('right');
  if (rhs) {
    const hazards = lockHazards([rhs], ctx.pkg.index, file);
    if (hazards.length > 0) decline(`${at(s)} updates ${s.text} with ${hazards[0]!.what}, which must not run under the map's lock`);
  }
  // Inside Update the map's lock is held: any other use of the map there would deadlock.
  const other = otherSitesWithin(ctx, s, stmt).find((o) => !replaced.some((r) => r.startIndex === o.span.start && r.endIndex === o.span.end));
  if (other) decline(`${at(s)} also uses ${other.text} while updating ${s.text}; inside one locked Update that would deadlock`);
  needsTypeInFile(file, s, ctx.value);
  const words = new Set((stmt.text.match(/\w+/g) ?? []));
  let old = 'old';
  for (let i = 2; words.has(old); i++) old = `old${i}`;
  return `${map.text}.Update(${key.text}, func(${old} ${ctx.value}) ${ctx.value} { return ${expr(old)} })`;
}

/** A closure spelling V in a file that does not import V's package would not compile. */
function needsTypeInFile(file: ParsedFile, s: ResolvedSite, type: string): void {
  for (const q of type.match(/\b([a-z_]\w*)\./g) ?? []) {
    const pkgName = q.slice(0, -1);
    if (!new RegExp(`"(?:[^"]*/)?${pkgName}"|\\b${pkgName}\\s+"`).test(file.text)) {
      decline(`${at(s)} would need the type ${type} in ${file.rel}, which does not import ${pkgName}`);
    }
  }
}

function read(ctx: Ctx, s: ResolvedSite, file: ParsedFile, node: SyntaxNode): void {
  const lenCall = ancestorOfType(node, 'call_expression');
  if (lenCall && lenCall.childForFieldName('function')?.text === 'len' && lenCall.startIndex === s.span.start) {
    const m = mapOperand(ctx, s, lenCall.childForFieldName('arguments')!);
    cover(ctx, file, lenCall);
    return edit(ctx, file, lenCall, `${m.text}.Len()`);
  }
  const { index, map, key } = indexOf(s, node);
  if (isReferenceType(ctx.value)) {
    const w = writeThroughLoadedValue(index, index.endIndex, ctx.pkg.index);
    if (w) ctx.review.push(`${lineOf(file, w.startIndex)} writes ${w.text.split('\n')[0]} through a ${ctx.value} loaded from the map; the map's lock does not cover what its values point to`);
  }
  const call = (method: string) => {
    splice(ctx, file, index.startIndex, key.startIndex, `${map.text}.${method}(`);
    splice(ctx, file, key.endIndex, index.endIndex, ')');
  };
  const list = index.parent;
  const stmt = list?.parent;
  // v, ok := m[k] / v, ok = m[k] / var v, ok = m[k]
  if (list?.type === 'expression_list' && list.namedChildCount === 1 && stmt && (stmt.type === 'short_var_declaration' || stmt.type === 'assignment_statement' || stmt.type === 'var_spec')) {
    const left = stmt.type === 'var_spec' ? stmt.namedChildren.filter((c) => c.type === 'identifier') : (stmt.childForFieldName('left')?.namedChildren ?? []);
    if (left.length === 2 && sameNode(stmt.childForFieldName(stmt.type === 'var_spec' ? 'value' : 'right'), list)) {
      return call('Load');
    }
  }
  call('Get');
}

/**
 * `for k, v := range m` → `for k, v := range m.Snapshot()`: the body runs without the lock (it
 * may call out or use the map), and break, continue, return and labels keep their meaning.
 */
function range(ctx: Ctx, s: ResolvedSite, file: ParsedFile, node: SyntaxNode): void {
  const stmt = ancestorOfType(node, 'for_statement') ?? decline(`${at(s)} is not a for statement`);
  const clause = stmt.namedChildren.find((c) => c.type === 'range_clause') ?? decline(`${at(s)} is not a range loop`);
  const right = clause.childForFieldName('right')!;
  const body = stmt.childForFieldName('body')!;
  const m = mapOperand(ctx, s, right);
  const left = clause.childForFieldName('left')?.namedChildren ?? [];
  const mapUses = otherSitesWithin(ctx, s, body);
  for (const u of mapUses) {
    if (u.kind === 'read') continue;
    if (left[0] && left[0].text !== '_' && (u.kind === 'delete' || u.kind === 'write') && touchesKey(file, u, left[0].text)) continue;
    decline(`${at(u)} changes the map inside the range at ${at(s)} other than at the visited key; over a snapshot the loop would still see the old entries`);
  }
  if (mapUses.some((u) => u.kind === 'delete' || u.kind === 'write')) {
    ctx.review.push(`the range at ${at(s)} now walks a snapshot and updates the map by key; an entry changed by another goroutine in between is updated anyway (collect-then-delete re-checks)`);
  }
  splice(ctx, file, right.startIndex, right.endIndex, `${m.text}.Snapshot()`);
}

/** Whether a write or delete inside a range targets the visited key (`m[k] = …`, `delete(m, k)`). */
function touchesKey(file: ParsedFile, u: ResolvedSite, key: string): boolean {
  const node = nodeAt(file, u.span.start, u.span.end);
  if (u.kind === 'delete') return ancestorOfType(node, 'call_expression')?.childForFieldName('arguments')?.namedChildren[1]?.text === key;
  return !u.raw.reassign && ancestorOfType(node, 'index_expression')?.childForFieldName('index')?.text === key;
}

/** The other accesses of the same map inside a node of the site's file. */
function otherSitesWithin(ctx: Ctx, s: ResolvedSite, node: SyntaxNode): ResolvedSite[] {
  const shared = ctx.pkg.rules.maps.find((m) => m.decl.key === ctx.decl.key)!;
  return shared.sites.filter((o) => o !== s && o.span.file === s.span.file && o.span.start >= node.startIndex && o.span.end <= node.endIndex);
}

/**
 * The analysis attributes accesses to the map; any other mention of its name that no rewrite
 * covered (a comparison with nil, a use the analysis did not classify) would no longer compile.
 */
function checkEveryMentionRewritten(ctx: Ctx, shared: SharedMap): void {
  const { decl } = ctx;
  const name = decl.name.split('.').pop()!;
  const isCovered = (file: ParsedFile, n: SyntaxNode) => ctx.covered.some((c) => c.file === file.rel && c.start <= n.startIndex && n.endIndex <= c.end);
  if (decl.kind === 'field') {
    // Only decidable when no other struct of the package has a field of that name.
    const owners = [...ctx.pkg.index.structs.values()].filter((st) => st.fields.has(name));
    if (owners.length !== 1) return;
    for (const file of ctx.pkg.files) {
      const selectors = leavesNamed(file, 'field_identifier', name).map((f) => f.parent!).filter((p) => p.type === 'selector_expression' && p.childForFieldName('field')?.text === name);
      for (const n of inTreeOrder(selectors)) {
        if (!isCovered(file, n)) {
          decline(`${lineOf(file, n.startIndex)} uses ${n.parent?.text.split('\n')[0]?.slice(0, 60) ?? n.text} in a way the rewrite does not cover`);
        }
      }
    }
    return;
  }
  const scopes =
    decl.kind === 'local' && decl.ownerFunc !== undefined
      ? [{ file: ctx.pkg.index.funcs[decl.ownerFunc]!.file, node: nodeAt(ctx.pkg.index.funcs[decl.ownerFunc]!.file, ctx.pkg.index.funcs[decl.ownerFunc]!.start, ctx.pkg.index.funcs[decl.ownerFunc]!.end) }]
      : ctx.pkg.files.map((file) => ({ file, node: file.tree.rootNode }));
  for (const { file, node } of scopes) {
    // Within the function (a local), or the whole file (a package var).
    const identifiers = leavesNamed(file, 'identifier', name).filter((n) => n.startIndex >= node.startIndex && n.endIndex <= node.endIndex && !sameNode(n, node));
    for (const n of identifiers) {
      if (isCovered(file, n)) continue;
      // A local or parameter of the same name in another function is another variable.
      if (decl.kind === 'package-var' && shadowed(n, name)) continue;
      decline(`${lineOf(file, n.startIndex)} uses ${name} in a way the rewrite does not cover (${n.parent?.text.split('\n')[0]?.slice(0, 60)})`);
    }
  }
  void shared;
}

/** Whether an identifier inside a function refers to a local or parameter declared there. */
function shadowed(id: SyntaxNode, name: string): boolean {
  const fn = enclosingFunction(id);
  if (!fn) return false;
  const decl = new RegExp(`(?:\\b${name}\\s*(?:,[^=\\n]*)?:=|\\bvar\\s+${name}\\b|[(,]\\s*${name}\\s+[\\w*\\[(]|\\b${name}\\s*,[^)\\n]*\\)\\s)`);
  return decl.test(fn.text);
}

/**
 * Each method call locks on its own, so a function that reads the map and then writes it (outside
 * any lock it already held) no longer does both in one step. When the write depends on the read
 * (a check-then-act: `if _, ok := m[k]; !ok { m[k] = v }`, `old := m[k]` … `m[k] = old + 1`), two
 * goroutines could both pass the check: that changes what the code computes, so it declines.
 * Reads and writes that do not decide each other are flagged for review.
 */
function checkThenAct(ctx: Ctx, shared: SharedMap): void {
  const byFunc = new Map<number, ResolvedSite[]>();
  for (const s of shared.sites) {
    if (ctx.pkg.rules.finder.isConstruction(s)) continue;
    const list = byFunc.get(s.func) ?? [];
    list.push(s);
    byFunc.set(s.func, list);
  }
  for (const [func, sites] of byFunc) {
    const reads = sites.filter((s) => s.kind === 'read' || s.kind === 'range');
    const writes = sites.filter((s) => s.kind === 'write' || s.kind === 'delete' || s.kind === 'clear');
    if (reads.length === 0 || writes.length === 0) continue;
    const held = (s: ResolvedSite) => new Set(s.locks.filter((l) => !isOwnerLock(l.name)).map((l) => l.name));
    const common = sites.map(held).reduce((a, b) => new Set([...a].filter((x) => b.has(x))));
    if (common.size > 0) continue;
    // Reads the rewrite folded into the write's Update are one step already.
    const apart = reads.filter((r) => !writes.some((w) => w.span.file === r.span.file && sameStatement(ctx, r, w)));
    if (apart.length === 0) continue;
    for (const r of apart) {
      const ct = checkThenActPair([r], writes.filter((w) => w.span.file === r.span.file && w.span.start > r.span.end), ctx.files);
      const why = ct ? splitChangesResult(ctx, ct.check, ct.act) : null;
      if (ct && why) {
        decline(
          `${at(ct.check)} checks the entry that ${at(ct.act)} then writes, and ${why}: as two locked method calls, two goroutines could both pass the check; --style inline keeps them in one critical section`,
        );
      }
    }
    const fn = ctx.pkg.index.funcs[func]!;
    ctx.review.push(`${fn.name} reads the map (${at(apart[0]!)}) and then writes it (${at(writes[0]!)}) in separate locked calls; if the write depends on the read, keep them under one lock (--style inline does)`);
  }
}

/**
 * Whether splitting a check and the act it decides into two locked calls changes what the code
 * computes, and how: the write uses what the read returned (`p := m[k]; m[k] = p + d`: an update
 * would be lost), or the function tells its caller what the check found (`return !taken`,
 * `return errDuplicate` when the entry is there: two callers could both be told they won). A fill
 * of a missing entry whose caller gets the entry either way (`if s, ok := m[k]; ok { return s }`
 * … `m[k] = s`) only computes it twice: null, and the fix is marked for review.
 */
function splitChangesResult(ctx: Ctx, check: ResolvedSite, act: ResolvedSite): string | null {
  const file = fileOf(ctx, check.span.file);
  const stmt = listedStatementOf(nodeAt(file, check.span.start, check.span.end));
  if (!stmt) return 'the check is not a statement of its own';
  const fn = enclosingFunction(stmt);
  const bound = (decl: SyntaxNode | null) => decl?.childForFieldName('left')?.namedChildren.map((c) => c.text).filter((t) => /^\w+$/.test(t) && t !== '_') ?? [];
  const uses = (text: string, names: string[]) => names.some((n) => new RegExp(`\\b${n}\\b`).test(text));
  const returns = (n: SyntaxNode) => [n, ...descendants(n)].filter((d) => d.type === 'return_statement' && sameNode(enclosingFunction(d), fn));
  // What a return tells the caller about the check: a bool literal, an error, or the check's own names.
  const tells = (r: SyntaxNode, names: string[]) => /\b(?:true|false)\b|\berr\w*\b|\bErr\w*\b|\.Errorf\(|errors\.New\(/.test(r.text) || uses(r.text, names);
  const actStmt = listedStatementOf(nodeAt(file, act.span.start, act.span.end));
  if (stmt.type === 'if_statement') {
    // `if v, ok := m[k]; ok { return … }`: the names live in the if only.
    const names = bound(stmt.childForFieldName('initializer'));
    const okNames = names.slice(1);
    if (actStmt && stmt.startIndex <= actStmt.startIndex && actStmt.endIndex <= stmt.endIndex && uses(actStmt.text, names.slice(0, 1))) return `the write uses the value it read`;
    const branches = [stmt.childForFieldName('consequence'), stmt.childForFieldName('alternative')].filter((b): b is SyntaxNode => b !== null);
    const leaving = branches.flatMap(returns);
    const told = leaving.find((r) => tells(r, okNames));
    if (told) return `${lineOf(file, told.startIndex)} tells the caller what the check found (${told.text.trim()})`;
    // A fill hands back the entry when it is there and does nothing else; a branch that decides
    // more (compares, writes, answers) acts on what the check found, so two goroutines that both
    // miss the entry would both do what only the first should.
    const other = branches.find((b) => !(actStmt && b.startIndex <= actStmt.startIndex && actStmt.endIndex <= b.endIndex));
    const body = other ? other.namedChildren.filter((c) => c.type !== 'comment') : [];
    const list = body.length === 1 && body[0]!.type === 'statement_list' ? body[0]!.namedChildren.filter((c) => c.type !== 'comment') : body;
    const acting = list.find((c) => c.type !== 'return_statement');
    return acting ? `${lineOf(file, acting.startIndex)} acts on what the check found when the entry is there (${firstLineOf(acting.text)})` : null;
  }
  const names = bound(stmt);
  if (actStmt && uses(actStmt.text, names)) return `the write uses what the read returned (${names.join(', ')})`;
  const told = returns(fn ?? stmt).find((r) => r.startIndex > stmt.endIndex && uses(r.text, names));
  return told ? `${lineOf(file, told.startIndex)} tells the caller what the check found (${told.text.trim()})` : null;
}

function firstLineOf(text: string): string {
  const line = text.trim().split('\n')[0]!;
  return line.length > 60 ? `${line.slice(0, 57)}…` : line;
}

function sameStatement(ctx: Ctx, a: ResolvedSite, b: ResolvedSite): boolean {
  const file = fileOf(ctx, a.span.file);
  const sa = ancestorOfType(nodeAt(file, a.span.start, a.span.end), 'assignment_statement');
  return !!sa && sa.startIndex <= b.span.start && b.span.end <= sa.endIndex;
}

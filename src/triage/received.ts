// Maps a racing line reaches through something the scan does not follow: a value received from a
// channel (`m := <-ch; m[k] = v`, `for b := range ch { b.counts[k]++ }`), whose map is the one the
// package sends on a channel of that element type; and the element of a map (`j.done = true` on a
// `j` taken from `q.jobs`), whose memory the map shares between goroutines.
import type { MapDecl } from '../analysis/model.js';
import type { PackageFlow, ResolvedSite } from '../analysis/concurrency.js';
import type { FieldInfo, FuncInfo, ParsedFile } from '../analysis/package-index.js';
import { isMapTypeText } from '../analysis/types.js';

const IDENT = '[A-Za-z_]\\w*';
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const normType = (t: string) => t.replace(/\s+/g, '');

export interface ReceivedMap {
  /** The map's key in the package's facts. */
  key: string;
  /**
   * Its declaration: from the facts, or made here from the struct field when the analysis saw no
   * access of the field (it is only reached through received values).
   */
  decl: MapDecl;
  /** A site of that map: the send that carries it, or any access (a field map reached through a received struct). */
  site: ResolvedSite | null;
  /** The expression on the racing line, e.g. `m["k"]` or `bt.counts`. */
  text: string;
  /** How the line reaches the map, for the report: `snapshot received from in (…), sent at input.go:28 as m.counters`. */
  via: string;
}

export type ReceivedOnLine = ReceivedMap | { why: string };

/** The parsed file and the text of a 1-based line. */
function lineOf(flow: PackageFlow, rel: string, line: number): { file: ParsedFile; text: string; start: number } | null {
  const file = flow.index.files.find((f) => f.rel === rel);
  if (!file) return null;
  const start = file.lines.lineStart(line);
  const end = file.text.indexOf('\n', start);
  return { file, text: file.text.slice(start, end < 0 ? undefined : end), start };
}

/** The innermost function (or literal) whose body holds the offset. */
function enclosing(flow: PackageFlow, rel: string, offset: number): FuncInfo | null {
  let best: FuncInfo | null = null;
  for (const f of flow.index.funcs) {
    if (f.file.rel !== rel || offset < f.start || offset >= f.end) continue;
    if (!best || f.end - f.start < best.end - best.start) best = f;
  }
  return best;
}

/** The outermost declared function around a literal: where a closure's variables are bound. */
function outermost(flow: PackageFlow, fn: FuncInfo): FuncInfo {
  let f = fn;
  while (f.parent >= 0 && flow.index.funcs[f.parent]) f = flow.index.funcs[f.parent]!;
  return f;
}

/** Identifiers the line uses as a map (`x[`, `range x`, `len(x)`, `delete(x, …)`), with a field when `x.f`. */
function mapOperands(text: string): { name: string; field: string | null; text: string }[] {
  const out: { name: string; field: string | null; text: string }[] = [];
  const add = (name: string, field: string | undefined, shown: string) => {
    if (!out.some((o) => o.name === name && o.field === (field ?? null))) out.push({ name, field: field ?? null, text: shown });
  };
  const code = text.replace(/\/\/.*$/, '').replace(/"(?:[^"\\]|\\.)*"/g, (s) => s.replace(/[^"]/g, ' '));
  for (const m of code.matchAll(new RegExp(`(?<![\\w.])(${IDENT})(?:\\.(${IDENT}))?\\[`, 'g'))) {
    // Show the whole index expression as written (`m["k"]`), from the original text.
    const close = text.indexOf(']', m.index! + m[0].length);
    add(m[1]!, m[2], close > 0 ? text.slice(m.index!, close + 1) : m[0]);
  }
  for (const m of code.matchAll(new RegExp(`\\b(?:range\\s+|(?:len|delete|clear|maps\\.\\w+)\\(\\s*)(${IDENT})(?:\\.(${IDENT}))?\\b(?!\\s*[.(\\[])`, 'g')))
    add(m[1]!, m[2], m[2] ? `${m[1]}.${m[2]}` : m[1]!);
  return out;
}

/** Where `name` was last bound from a channel receive in `scope` (the function up to the line): the channel expression. */
function receiveBinding(scope: string, name: string): { chan: string; range: boolean } | null {
  const n = esc(name);
  const chan = '([\\w.]+(?:\\(\\))?)';
  const patterns: [RegExp, boolean][] = [
    [new RegExp(`\\bfor\\s+${n}\\s*:?=\\s*range\\s+${chan}`, 'g'), true],
    [new RegExp(`(?<![\\w.])${n}(?:\\s*,\\s*${IDENT})?\\s*:?=\\s*<-\\s*${chan}`, 'g'), false],
  ];
  let best: { chan: string; range: boolean; at: number } | null = null;
  for (const [re, range] of patterns) for (const m of scope.matchAll(re)) if (!best || m.index! > best.at) best = { chan: m[1]!, range, at: m.index! };
  return best && { chan: best.chan, range: best.range };
}

/** The declared type of a channel expression: a parameter, a local, a package variable, or a struct field. */
function chanType(flow: PackageFlow, fn: FuncInfo, scope: string, expr: string): string | null {
  const isChan = (t: string | null | undefined): t is string => !!t && /^\s*(?:<-\s*)?chan\b/.test(t);
  const dot = expr.lastIndexOf('.');
  if (dot < 0) {
    for (let f: FuncInfo | undefined = fn; f; f = f.parent >= 0 ? flow.index.funcs[f.parent] : undefined) {
      const p = f.params.find((x) => x.name === expr);
      if (p) return isChan(p.type) ? p.type : null;
    }
    const n = esc(expr);
    const local = [...scope.matchAll(new RegExp(`(?<![\\w.])${n}\\s*:?=\\s*make\\(\\s*((?:<-\\s*)?chan\\b[^,)]*(?:\\([^)]*\\))?[^,)]*)`, 'g')), ...scope.matchAll(new RegExp(`\\bvar\\s+${n}\\s+((?:<-\\s*)?chan\\b[^=\\n]*)`, 'g'))];
    if (local.length > 0) return local[local.length - 1]![1]!.trim();
    const pv = flow.index.vars.get(expr);
    if (pv) {
      if (isChan(pv.type)) return pv.type;
      const made = pv.value ? /make\(\s*((?:<-\s*)?chan\b[^,)]*)/.exec(pv.file.text.slice(pv.value.start, pv.value.end)) : null;
      return made ? made[1]!.trim() : null;
    }
    return null;
  }
  const field = expr.slice(dot + 1).replace(/\(\)$/, '');
  const types = new Set<string>();
  for (const s of flow.index.structs.values()) {
    const f = s.fields.get(field);
    if (f && isChan(f.type)) types.add(normType(f.type));
  }
  return types.size === 1 ? [...types][0]! : null;
}

/** A struct field's declaration as a map the facts would have made had they seen an access. */
function fieldDecl(key: string, field: FieldInfo): MapDecl {
  const from = field.file.lines.position(field.start);
  const to = field.file.lines.position(field.end);
  return {
    key,
    name: `${field.owner}.${field.name}`,
    kind: 'field',
    type: field.type,
    span: { file: field.file.rel, line: from.line, column: from.column, endLine: to.line, endColumn: to.column, start: field.start, end: field.end },
  };
}

const elementOf = (chan: string) => chan.replace(/^\s*(?:<-\s*)?chan\s*(?:<-\s*)?/, '').trim();

/**
 * The map a line reaches through a value received from a channel, or why it cannot say; null
 * when no map operand of the line was received from a channel.
 */
export function receivedMapOnLine(flow: PackageFlow, rel: string, line: number): ReceivedOnLine | null {
  const at = lineOf(flow, rel, line);
  if (!at) return null;
  const fn = enclosing(flow, rel, at.start);
  if (!fn) return null;
  const top = outermost(flow, fn);
  const scope = at.file.text.slice(top.start, at.start);
  for (const operand of mapOperands(at.text)) {
    const recv = receiveBinding(scope, operand.name);
    if (!recv) continue;
    const type = chanType(flow, fn, scope, recv.chan);
    // `for x := range y` over something that is not a channel is a range over a map or slice.
    if (recv.range && !type) continue;
    const elem = type ? elementOf(type) : null;
    const from = `${operand.name} is received from ${recv.chan}${type ? ` (${type.trim()})` : ''}`;
    if (operand.field) {
      const struct = elem?.replace(/^\*/, '') ?? null;
      const field = struct ? flow.index.structs.get(struct)?.fields.get(operand.field) : undefined;
      const key = field && isMapTypeText(field.type) ? `field:${struct}.${operand.field}` : null;
      const decl = key ? (flow.maps.get(key) ?? fieldDecl(key, field!)) : undefined;
      if (!decl) {
        if (!elem) return { why: `${rel}:${line}: ${from}, a channel whose element type the analysis cannot find, so it cannot tell which map ${operand.name}.${operand.field} is` };
        continue;
      }
      return { key: decl.key, decl, site: flow.sites.find((s) => s.map === decl.key) ?? null, text: operand.text, via: `${from}; ${operand.name}.${operand.field} is field ${decl.name} of the ${elem} it carries` };
    }
    const placed = sentMap(flow, elem, recv.chan);
    if ('why' in placed) return { why: `${rel}:${line}: ${from}; ${placed.why}` };
    const shown = placed.sends.map((s) => `${s.span.file}:${s.span.line}`).join(', ');
    return { key: placed.decl.key, decl: placed.decl, site: placed.sends[0]!, text: operand.text, via: `${from}, sent at ${shown} as ${placed.sends[0]!.text}` };
  }
  return null;
}

/** The one map the package sends on channels of element type `elem` (any channel when unknown). */
function sentMap(flow: PackageFlow, elem: string | null, recvChan: string): { decl: MapDecl; sends: ResolvedSite[] } | { why: string } {
  const sends = flow.sites.filter((s) => s.kind === 'escape' && s.escape === 'send');
  const matching = sends.filter((s) => {
    const decl = flow.maps.get(s.map);
    if (!decl) return false;
    if (!elem) return true;
    if (normType(decl.type) === normType(elem) || (decl.kind === 'named-type' && decl.name === elem)) return true;
    // The sending channel's own type, when the map's declared type is a named type or elided.
    const at = lineOf(flow, s.span.file, s.span.line);
    const fn = at ? enclosing(flow, s.span.file, at.start) : null;
    const ch = at ? new RegExp(`([\\w.]+(?:\\(\\))?)\\s*<-\\s*$`).exec(at.text.slice(0, Math.max(0, s.span.column - 1))) : null;
    const t = at && fn && ch ? chanType(flow, fn, at.file.text.slice(outermost(flow, fn).start, at.start), ch[1]!) : null;
    return t !== null && normType(elementOf(t)) === normType(elem);
  });
  const of = elem ? `of type ${elem}` : 'at all';
  if (matching.length === 0) return { why: `the package sends no map ${of} on a channel (sent from another package, or stored in a value the analysis does not follow)` };
  let keys = [...new Set(matching.map((s) => s.map))];
  let chosen = matching;
  if (keys.length > 1) {
    // Several maps of that type are sent: the ones sent on the same named channel (a field, a package variable).
    const same = matching.filter((s) => {
      const at = lineOf(flow, s.span.file, s.span.line);
      return at ? new RegExp(`(?<![\\w])${esc(recvChan)}\\s*<-`).test(at.text) : false;
    });
    if (same.length > 0 && new Set(same.map((s) => s.map)).size === 1) {
      chosen = same;
      keys = [same[0]!.map];
    }
  }
  if (keys.length > 1) {
    const names = keys.map((k) => `${flow.maps.get(k)!.name} (${matching.find((s) => s.map === k)!.span.file}:${matching.find((s) => s.map === k)!.span.line})`);
    return { why: `the package sends ${keys.length} maps ${of} on channels, ${names.join(', ')}: which one arrived is not in the report` };
  }
  return { decl: flow.maps.get(keys[0]!)!, sends: chosen.filter((s) => s.map === keys[0]) };
}

export interface ElementAccess {
  /** Index of the frame (among those given) whose function took the value from the map. */
  frame: number;
  /** The read or range that took the value out of the map. */
  from: ResolvedSite;
  /** The variable holding the element. */
  variable: string;
}

/**
 * A racing line with no map access that touches an element of map `key` (a field of a value held
 * by pointer in the map): the frame, from the racing one up its callers, whose function took the
 * value out of the map into a variable the line uses (the racing line itself, or a call passing it).
 */
export function elementOfMap(flow: PackageFlow, frames: { rel: string; line: number }[], key: string): ElementAccess | null {
  for (let i = 0; i < frames.length; i++) {
    const { rel, line } = frames[i]!;
    const at = lineOf(flow, rel, line);
    if (!at) return null;
    const fn = enclosing(flow, rel, at.start);
    if (!fn) continue;
    const code = at.text.replace(/\/\/.*$/, '');
    for (const s of flow.sites) {
      if (s.map !== key || s.func !== fn.index || s.span.file !== rel || s.span.line > line || (s.kind !== 'read' && s.kind !== 'range')) continue;
      const variable = elementVariable(flow, s);
      if (!variable || !new RegExp(`(?<![\\w.])${esc(variable)}\\b`).test(code)) continue;
      // The racing line uses the variable; a caller's line passes it on (`c.spend()`, `f(j)`).
      if (i > 0 && !new RegExp(`(?<![\\w.])${esc(variable)}\\s*(?:\\.\\s*${IDENT}\\s*\\(|[,)])`).test(code)) continue;
      return { frame: i, from: s, variable };
    }
  }
  return null;
}

/** The variable a read or range binds a map's value to: `v` of `v := m[k]`, `for k, v := range m`. */
function elementVariable(flow: PackageFlow, s: ResolvedSite): string | null {
  if (s.kind === 'range') {
    const m = new RegExp(`^for\\s+${IDENT}\\s*,\\s*(${IDENT})\\s*:?=`).exec(s.text);
    return m && m[1] !== '_' ? m[1]! : null;
  }
  const at = lineOf(flow, s.span.file, s.span.line);
  if (!at) return null;
  const m = new RegExp(`(${IDENT})(?:\\s*,\\s*${IDENT})?\\s*:?=\\s*$`).exec(at.text.slice(0, s.span.column - 1));
  return m && m[1] !== '_' ? m[1]! : null;
}

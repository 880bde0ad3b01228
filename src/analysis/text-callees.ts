// Call edges of a body that was not walked (it touches no map, lock or goroutine), read from its
// text. A method call resolves through its receiver's type like the walker's calls do: the
// receiver, a parameter, a local whose type the text shows, a package variable, a field chain
// or index on one of those. A call on an interface or a value of unknown type gives no edge:
// linking it to every method of that name in the package tied goroutines to unrelated code
// (nats-server: `go a.checkForReverseEntries()` reached 2,217 functions through `.Get(`,
// `.Close(`, `.Delete(` on pools, transports and mocks).
import { lookupField, lookupMethods, type FuncInfo, type PackageIndex } from './package-index.js';
import { baseTypeName, splitMapType } from './types.js';

/**
 * The in-package functions a not-walked body calls, resolved by name (functions) and receiver type
 * (methods), each with the file offset of its first call (the called name).
 */
export function textCallees(index: PackageIndex, f: FuncInfo): { callee: number; pos: number }[] {
  const raw = f.file.text.slice(f.body!.start, f.body!.end);
  // Most bodies call nothing of the package: those are not masked or read further. A name the
  // masked text shows called has a `(` after it in the raw text too, or a comment or string
  // between (which the mask turns to spaces).
  if (!callsPackageName(index, raw)) return [];
  const body = maskCommentsAndStrings(raw);
  // The body's declarations are read only once a call names a function or method of the package.
  let types: TextTypes | null = null;
  const resolver = () => (types ??= new TextTypes(index, f, body));
  const out = new Map<number, number>();
  const add = (c: number, at: number) => out.has(c) || out.set(c, f.body!.start + at);
  for (const m of body.matchAll(CALL_NAME)) {
    const name = m[1]!;
    let i = m.index! - 1;
    while (i >= 0 && isSpace(body[i]!)) i--;
    if (body[i] !== '.') {
      const named = index.funcsByName.get(name);
      if (!named || resolver().isLocal(name)) continue;
      for (const c of named) add(c, m.index!);
      continue;
    }
    // No method of that name in the package: nothing to resolve.
    if (!index.methodsByName.has(name)) continue;
    const operand = operandBefore(body, i);
    if (!operand) continue;
    for (const c of resolver().methodCallees(operand, name)) add(c, m.index!);
  }
  return [...out].map(([callee, pos]) => ({ callee, pos }));
}

/**
 * The `a, b :=` and `k, v := range` of a (masked) body: up to nine comma-separated words before
 * each `:=`, and where the right side starts (after `range ` too). Read backwards from each `:=`
 * (a regex tried at every word of every body cost more than the rest of this file).
 */
export function shortVarDecls(body: string): { names: string[]; range: boolean; end: number }[] {
  const out: { names: string[]; range: boolean; end: number }[] = [];
  for (let at = body.indexOf(':='); at >= 0; at = body.indexOf(':=', at + 2)) {
    const names: string[] = [];
    let i = at;
    while (names.length < 9) {
      while (i > 0 && isJsSpace(body[i - 1]!)) i--;
      let w = i;
      while (w > 0 && isWordChar(body.charCodeAt(w - 1))) w--;
      if (w === i) break;
      names.unshift(body.slice(w, i));
      let j = w;
      while (j > 0 && isJsSpace(body[j - 1]!)) j--;
      if (j === 0 || body[j - 1] !== ',') break;
      i = j - 1;
    }
    if (names.length === 0) continue;
    let end = at + 2;
    while (end < body.length && isJsSpace(body[end]!)) end++;
    let range = false;
    if (body.startsWith('range', end) && end + 5 < body.length && isJsSpace(body[end + 5]!)) {
      range = true;
      end += 5;
      while (end < body.length && isJsSpace(body[end]!)) end++;
    }
    out.push({ names, range, end });
  }
  return out;
}

/** `\s` of a regex: the mask leaves only ASCII blanks, but the text is read as the regex it replaced did. */
function isJsSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || (c > '\u0008' && c < '\u000e') || (c > '\u007f' && JS_SPACE.test(c));
}

const JS_SPACE = /\s/;

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

const CALL_NAME = /\b([A-Za-z_]\w*)\s*\(/g;
const MAYBE_CALL_NAME = /\b([A-Za-z_]\w*)\s*(?:\(|\/[/*]|["`'])/g;

function callsPackageName(index: PackageIndex, raw: string): boolean {
  for (const m of raw.matchAll(MAYBE_CALL_NAME)) if (index.funcsByName.has(m[1]!) || index.methodsByName.has(m[1]!)) return true;
  return false;
}
const IDENT = /^[A-Za-z_]\w*$/;

/** One step of an operand chain: a name, a field selection, or an index `[…]`. */
type Step = { kind: 'name'; name: string } | { kind: 'field'; name: string } | { kind: 'index' };

/**
 * The operand chain ending just before the `.` at `dot` (`s.peers[id]` of `s.peers[id].send(`),
 * or null when it starts with a call result, a conversion or anything else not followed here.
 */
function operandBefore(body: string, dot: number): Step[] | null {
  const steps: Step[] = [];
  let i = dot - 1;
  for (;;) {
    while (i >= 0 && isSpace(body[i]!)) i--;
    if (body[i] === ']') {
      let depth = 0;
      for (; i >= 0; i--) {
        if (body[i] === ']') depth++;
        else if (body[i] === '[' && --depth === 0) break;
      }
      if (i < 0) return null;
      steps.push({ kind: 'index' });
      i--;
      continue;
    }
    const end = i + 1;
    while (i >= 0 && /\w/.test(body[i]!)) i--;
    const word = body.slice(i + 1, end);
    if (!IDENT.test(word)) return null;
    let j = i;
    let newline = false;
    while (j >= 0 && isSpace(body[j]!)) {
      if (body[j] === '\n') newline = true;
      j--;
    }
    if (body[j] === '.') {
      steps.push({ kind: 'field', name: word });
      i = j - 1;
      continue;
    }
    // `)` or `}` before the head: a call result or a conversion, whose type is not followed;
    // unless a line break comes between (a `)` ending the line before ends its statement).
    if (!newline && (body[j] === ')' || body[j] === '}')) return null;
    steps.push({ kind: 'name', name: word });
    return steps.reverse();
  }
}

/** Types of the names a body's text declares, read from its declarations (no type checker). */
class TextTypes {
  private readonly locals = new Map<string, Set<string | null>>();

  constructor(
    private readonly index: PackageIndex,
    private readonly fn: FuncInfo,
    body: string,
  ) {
    const add = (name: string, type: string | null) => {
      if (name === '_') return;
      const set = this.locals.get(name) ?? new Set();
      set.add(type);
      this.locals.set(name, set);
    };
    // `var x T`
    for (const m of body.matchAll(/\bvar\s+(\w+)\s+(\*?[A-Za-z_][\w.]*)/g)) add(m[1]!, m[2]!);
    // `a, b := rhs` / `a, b = rhs` is not a declaration of new types unless `:=`.
    for (const d of shortVarDecls(body)) {
      const rest = body.slice(d.end, d.end + 200);
      const types = d.range ? this.rangeTypes(rest) : this.rhsTypes(rest, d.names.length);
      d.names.forEach((n, k) => add(n, types[k] ?? null));
    }
    // Parameters of function literals: `func(c *client, n int)`.
    for (const m of body.matchAll(/\bfunc\s*\(([^()]*)\)/g)) {
      for (const p of splitParams(m[1]!)) add(p.name, p.type);
    }
  }

  isLocal(name: string): boolean {
    return this.locals.has(name) || this.fn.params.some((p) => p.name === name);
  }

  methodCallees(steps: Step[], method: string): number[] {
    const head = steps[0] as { kind: 'name'; name: string };
    // `T.Method(recv, …)` / a method expression on a package type.
    if (steps.length === 1 && !this.isLocal(head.name) && head.name !== this.fn.recvName && (this.index.structs.has(head.name) || this.index.namedTypes.has(head.name))) {
      return lookupMethods(this.index, head.name, method);
    }
    const out = new Set<number>();
    for (const t of this.chainTypes(steps)) for (const c of lookupMethods(this.index, baseTypeName(t), method)) out.add(c);
    return [...out];
  }

  /** The possible types of an operand chain (empty when unknown). */
  private chainTypes(steps: Step[]): string[] {
    let types = this.nameTypes((steps[0] as { name: string }).name);
    for (const s of steps.slice(1)) {
      const next: string[] = [];
      for (const t of types) {
        const u = s.kind === 'field' ? (lookupField(this.index, baseTypeName(t), s.name)?.type ?? null) : this.elemType(t);
        if (u) next.push(u);
      }
      types = next;
      if (types.length === 0) break;
    }
    return types;
  }

  private nameTypes(name: string): string[] {
    const local = this.locals.get(name);
    const out: string[] = [];
    if (local) for (const t of local) if (t) out.push(t);
    for (const p of [...this.fn.params, ...this.fn.namedResults]) if (p.name === name) out.push(p.type);
    if (name === this.fn.recvName && this.fn.recvType) out.push(this.fn.recvType);
    if (out.length > 0 || local) return out;
    // An import name is another package: no in-package callee.
    if (this.index.imports.has(name)) return [];
    const pv = this.index.vars.get(name);
    if (pv?.type) return [pv.type];
    return [];
  }

  /** The element type of indexing a value of type t: a map's value, a slice's or array's element. */
  private elemType(t: string): string | null {
    let type = t.trim();
    const named = this.index.namedTypes.get(baseTypeName(type));
    if (named) type = named.type.trim();
    const map = splitMapType(type);
    if (map) return map.value;
    const slice = /^\[[^\]]*\](.+)$/.exec(type);
    return slice ? slice[1]!.trim() : null;
  }

  /** Types of `for k, v := range X`: map key and value, or slice index and element. */
  private rangeTypes(rest: string): (string | null)[] {
    const m = /^([A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*)\s*\{/.exec(rest);
    if (!m) return [];
    const steps: Step[] = m[1]!.split('.').map((s, k) => (k === 0 ? { kind: 'name', name: s.trim() } : { kind: 'field', name: s.trim() }));
    for (const t of this.chainTypes(steps)) {
      let type = t.trim();
      const named = this.index.namedTypes.get(baseTypeName(type));
      if (named) type = named.type.trim();
      const map = splitMapType(type);
      if (map) return [map.key, map.value];
      const slice = /^\[[^\]]*\](.+)$/.exec(type);
      if (slice) return ['int', slice[1]!.trim()];
    }
    return [];
  }

  /** Types of the right-hand side of `names := rhs` that the text shows. */
  private rhsTypes(rest: string, count: number): (string | null)[] {
    let m: RegExpExecArray | null;
    // `&T{`, `T{`
    if ((m = /^(&?)\s*([A-Za-z_]\w*)\s*(?:\[[^\]]*\])?\s*\{/.exec(rest)) && this.isPackageType(m[2]!)) return [`${m[1] ? '*' : ''}${m[2]}`];
    // `new(T)`
    if ((m = /^new\(\s*([A-Za-z_]\w*)\s*\)/.exec(rest))) return [`*${m[1]}`];
    // `x.(T)` / `x.(*T)`
    if ((m = /^[\w.]+\s*\.\(\s*(\*?[A-Za-z_]\w*)\s*\)/.exec(rest))) return [m[1]!, 'bool'];
    // `f(…)`: a package function's results.
    if ((m = /^([A-Za-z_]\w*)\s*\(/.exec(rest))) {
      const fns = this.index.funcsByName.get(m[1]!) ?? [];
      if (fns.length > 0 && !this.locals.has(m[1]!)) return this.index.funcs[fns[0]!]!.results.slice(0, count);
      return [];
    }
    // `a.b.c(…)`: a method's results; `a.b.c` alone: a field.
    if ((m = /^([A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)+)\s*(\(|[;\n}])/.exec(rest))) {
      const parts = m[1]!.split('.').map((s) => s.trim());
      if (m[2] === '(') {
        const method = parts.pop()!;
        const steps: Step[] = parts.map((s, k) => (k === 0 ? { kind: 'name', name: s } : { kind: 'field', name: s }));
        const first = this.methodCallees(steps, method)[0];
        return first !== undefined ? this.index.funcs[first]!.results.slice(0, count) : [];
      }
      const steps: Step[] = parts.map((s, k) => (k === 0 ? { kind: 'name', name: s } : { kind: 'field', name: s }));
      return count === 1 ? this.chainTypes(steps).slice(0, 1) : [];
    }
    return [];
  }

  private isPackageType(name: string): boolean {
    return this.index.structs.has(name) || this.index.namedTypes.has(name);
  }
}

/** `a, b T, c *U` → names with their types (a and b of type T). */
function splitParams(list: string): { name: string; type: string }[] {
  const out: { name: string; type: string }[] = [];
  let pending: string[] = [];
  for (const part of list.split(',')) {
    const p = part.trim();
    const m = /^([A-Za-z_]\w*)\s+(.+)$/.exec(p);
    if (m) {
      for (const n of [...pending, m[1]!]) out.push({ name: n, type: m[2]!.trim() });
      pending = [];
    } else if (IDENT.test(p)) pending.push(p);
  }
  return out;
}

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

const COMMENT_OR_STRING = /\/\/[^\n]*|\/\*[\s\S]*?\*\/|"(?:[^"\\\n]|\\.)*"|`[^`]*`|'(?:[^'\\\n]|\\.)*'/g;

/** The text with comments and string literals blanked (same length), so calls named in them do not count. */
export function maskCommentsAndStrings(text: string): string {
  return text.replace(COMMENT_OR_STRING, (s) => (s.includes('\n') ? s.replace(/[^\n]/g, ' ') : ' '.repeat(s.length)));
}

// What a Go expression's type is, as far as declarations show it, so that keys and values handed
// to sync.Map keep the dynamic type the map[K]V gave them: Store(1, v) would store an int where
// a map[int64]V stored an int64, and Load(int64(1)) would then miss it.
import type { SyntaxNode } from '../../src/parse/parser.js';
import type { PackageView } from '../../src/plan/transform.js';
import { descendants, unparen } from '../../src/plan/go-syntax.js';
import { normType } from '../../src/analysis/types.js';

const BASIC = new Set([
  'string', 'bool', 'byte', 'rune',
  'int', 'int8', 'int16', 'int32', 'int64', 'uint', 'uint8', 'uint16', 'uint32', 'uint64', 'uintptr',
  'float32', 'float64', 'complex64', 'complex128',
]);

/** Whether a type is a Go basic type (never an interface, never nil). */
export function isBasicType(t: string): boolean {
  return BASIC.has(t.trim());
}

/** Whether a type is an interface: any, error, interface{…}, or a named interface of the package. */
export function isInterfaceType(t: string, pkg: PackageView): boolean {
  const s = t.trim();
  if (s === 'any' || s === 'error' || s.startsWith('interface')) return true;
  const named = pkg.index.namedTypes.get(s);
  return !!named && named.type.trim().startsWith('interface');
}

/**
 * Whether what Range hands out for this type always holds a T, so `x.(T)` cannot panic. Keys are
 * always stored converted to a non-interface K, so any known non-interface K qualifies; a value
 * may be a stored untyped nil, so only types that cannot be nil do (basic types, structs, arrays).
 */
export function assertionCannotFail(t: string, pkg: PackageView, isKey: boolean): boolean {
  const s = normType(t);
  if (isBasicType(s) || s.startsWith('[') && !s.startsWith('[]')) return true;
  if (s.startsWith('struct')) return true;
  if (isKey && (s.startsWith('*') || s.startsWith('chan') || s.startsWith('<-'))) return true;
  const named = pkg.index.namedTypes.get(s);
  if (!named) return false;
  const u = normType(named.type);
  if (u.startsWith('interface')) return false;
  if (isKey) return true;
  return isBasicType(u) || u.startsWith('struct') || (u.startsWith('[') && !u.startsWith('[]'));
}

/** `T(x)`, with the type parenthesised where Go needs it (`(*T)(x)`, `(func())(x)`). */
export function conversion(type: string, expr: string): string {
  const t = type.trim();
  const wrapped = /^(\*|<-|func\b|chan\b)/.test(t) ? `(${t})` : t;
  return `${wrapped}(${expr})`;
}

interface ExprType {
  type: string;
  /** An untyped constant: its default type is `type`. */
  untyped?: boolean;
  nil?: boolean;
}

/**
 * The expression as a value of `want`: as written when it certainly has that type, else converted.
 * An expression that compiles as a K is assignable to K; for a named K (`string`, `ID`, `pkg.T`)
 * only an untyped constant can then have another type, so only constants need the conversion.
 * An unnamed K (`[]string`, `*T`) also accepts values of named types with that underlying type
 * (`http.Header` for `map[string][]string`), which would keep their own dynamic type in the
 * sync.Map: those are converted unless the declarations show the exact type.
 */
export function asType(node: SyntaxNode, want: string, pkg: PackageView, opts: { nilNeedsConversion: boolean }, text = node.text): string {
  const w = normType(want);
  if (isInterfaceType(w, pkg)) return text;
  const t = typeOfExpr(node, pkg, 0);
  if (t?.nil && !opts.nilNeedsConversion) return text;
  if (t && !t.nil && normType(t.type) === w) return text;
  if (/^(\w+\.)?\w+$/.test(w) && isVariableExpr(node, pkg)) return text;
  return conversion(w, text);
}

/** Whether an expression certainly is not a constant (it reads a variable or calls a function). */
function isVariableExpr(node: SyntaxNode, pkg: PackageView): boolean {
  // True when any operand the value flows from is a variable: an explicit stack, since operators
  // and operand chains nest as deep as the input does.
  const stack = [node];
  while (stack.length > 0) {
    if (variableStep(unparen(stack.pop()!), pkg, stack)) return true;
  }
  return false;
}

/** Whether `n` itself reads a variable or calls a function; pushes the operands that decide it otherwise. */
function variableStep(n: SyntaxNode, pkg: PackageView, operands: SyntaxNode[]): boolean {
  switch (n.type) {
    case 'identifier': {
      const decls = findDeclarations(n, n.text);
      if (decls.length > 0) return decls.every((d) => d.kind === 'var');
      return pkg.index.vars.has(n.text);
    }
    case 'selector_expression': {
      const operand = n.childForFieldName('operand');
      if (operand) operands.push(operand);
      return false;
    }
    case 'call_expression': {
      const fn = n.childForFieldName('function');
      if (!fn) return false;
      if (fn.type === 'identifier') {
        const name = fn.text;
        if (isBasicType(name) || pkg.index.namedTypes.has(name)) return false;
        if (['len', 'cap', 'real', 'imag', 'complex', 'min', 'max'].includes(name)) return false;
        return true;
      }
      return fn.type === 'selector_expression';
    }
    case 'index_expression':
    case 'composite_literal':
    case 'type_assertion_expression':
    case 'func_literal':
      return true;
    case 'unary_expression': {
      if (n.child(0)?.type === '&' || n.child(0)?.type === '<-') return true;
      const operand = n.childForFieldName('operand');
      if (operand) operands.push(operand);
      return false;
    }
    case 'binary_expression': {
      const op = n.child(1)?.type ?? '';
      if (/^(==|!=|<|<=|>|>=|&&|\|\||<<|>>)$/.test(op)) return false;
      const l = n.childForFieldName('left');
      const r = n.childForFieldName('right');
      if (r) operands.push(r);
      if (l) operands.push(l);
      return false;
    }
    default:
      return false;
  }
}

/** The type of an expression from literals, declarations and package functions; null when unknown. */
export function typeOfExpr(node: SyntaxNode, pkg: PackageView, depth: number): ExprType | null {
  if (depth > 6) return null;
  const n = unparen(node);
  switch (n.type) {
    case 'interpreted_string_literal':
    case 'raw_string_literal':
      return { type: 'string', untyped: true };
    case 'int_literal':
      return { type: 'int', untyped: true };
    case 'float_literal':
      return { type: 'float64', untyped: true };
    case 'rune_literal':
      return { type: 'rune', untyped: true };
    case 'true':
    case 'false':
      return { type: 'bool', untyped: true };
    case 'nil':
      return { type: 'nil', nil: true };
    case 'composite_literal':
      return typeText(n.childForFieldName('type'));
    case 'unary_expression': {
      const operand = n.childForFieldName('operand');
      if (n.child(0)?.type === '&' && operand && unparen(operand).type === 'composite_literal') {
        const inner = typeText(unparen(operand).childForFieldName('type'));
        return inner ? { type: `*${inner.type}` } : null;
      }
      if (n.child(0)?.type === '!') return { type: 'bool', untyped: true };
      if (/^[-+^]$/.test(n.child(0)?.type ?? '') && operand) return typeOfExpr(operand, pkg, depth + 1);
      return null;
    }
    case 'binary_expression': {
      const op = n.child(1)?.type ?? '';
      if (/^(==|!=|<|<=|>|>=|&&|\|\|)$/.test(op)) return { type: 'bool', untyped: true };
      if (op === '<<' || op === '>>') return null;
      const l = typeOfExpr(n.childForFieldName('left')!, pkg, depth + 1);
      const r = typeOfExpr(n.childForFieldName('right')!, pkg, depth + 1);
      if (!l || !r || l.nil || r.nil) return null;
      if (l.untyped && r.untyped) return l.type === r.type ? l : null;
      if (l.untyped) return r;
      if (r.untyped) return l;
      return normType(l.type) === normType(r.type) ? l : null;
    }
    case 'call_expression':
      return callType(n, pkg, depth);
    case 'type_conversion_expression':
      return typeText(n.childForFieldName('type'));
    case 'identifier':
      return identifierType(n, pkg, depth);
    case 'selector_expression':
      return selectorType(n, pkg, depth);
    case 'index_expression': {
      const operand = n.childForFieldName('operand');
      const t = operand ? typeOfExpr(operand, pkg, depth + 1) : null;
      if (!t || t.nil) return null;
      const s = normType(t.type);
      if (s === 'string') return { type: 'byte' };
      if (s.startsWith('[]')) return { type: s.slice(2) };
      return null;
    }
    default:
      return null;
  }
}

function typeText(n: SyntaxNode | null): ExprType | null {
  return n ? { type: n.text } : null;
}

function callType(n: SyntaxNode, pkg: PackageView, depth: number): ExprType | null {
  const fn = n.childForFieldName('function');
  const args = n.childForFieldName('arguments')?.namedChildren ?? [];
  if (!fn) return null;
  if (fn.type === 'identifier') {
    const name = fn.text;
    if (name === 'make' && args[0]) return { type: args[0].text };
    if (name === 'new' && args[0]) return { type: `*${args[0].text}` };
    if (name === 'len' || name === 'cap') return { type: 'int' };
    if (isBasicType(name) || pkg.index.namedTypes.has(name)) return { type: name };
    const fns = (pkg.index.funcsByName.get(name) ?? []).filter((i) => pkg.index.funcs[i]!.recvType === null);
    if (fns.length === 1 && pkg.index.funcs[fns[0]!]!.results.length === 1) return { type: pkg.index.funcs[fns[0]!]!.results[0]! };
    return null;
  }
  if (fn.type === 'parenthesized_expression') return { type: unparen(fn).text };
  if (fn.type === 'selector_expression') {
    const operand = fn.childForFieldName('operand');
    const field = fn.childForFieldName('field')?.text ?? '';
    if (operand?.type === 'identifier' && pkg.index.imports.has(operand.text) && !findDeclarations(operand, operand.text).length) return null;
    const t = operand ? typeOfExpr(operand, pkg, depth + 1) : null;
    if (t && !t.nil) {
      const recv = t.type.replace(/^\*/, '').trim();
      const m = (pkg.index.methodsByName.get(field) ?? []).map((i) => pkg.index.funcs[i]!).filter((f) => f.recvType === recv);
      if (m.length === 1 && m[0]!.results.length === 1) return { type: m[0]!.results[0]! };
    }
  }
  return null;
}

function selectorType(n: SyntaxNode, pkg: PackageView, depth: number): ExprType | null {
  const operand = n.childForFieldName('operand');
  const field = n.childForFieldName('field')?.text ?? '';
  if (!operand) return null;
  if (operand.type === 'identifier' && pkg.index.imports.has(operand.text) && !findDeclarations(operand, operand.text).length) return null;
  const t = typeOfExpr(operand, pkg, depth + 1);
  if (!t || t.nil) return null;
  const s = pkg.index.structs.get(t.type.replace(/^\*/, '').trim());
  const f = s?.fields.get(field);
  return f ? { type: f.type } : null;
}

/** The outermost function declaration around a node. */
function topFunction(n: SyntaxNode): SyntaxNode | null {
  let out: SyntaxNode | null = null;
  for (let cur: SyntaxNode | null = n.parent; cur; cur = cur.parent) {
    if (cur.type === 'function_declaration' || cur.type === 'method_declaration') out = cur;
  }
  return out;
}

interface Declaration {
  kind: 'var' | 'const' | 'other';
  node: SyntaxNode;
  type: SyntaxNode | null;
  value: SyntaxNode | null;
}

/** Every declaration of `name` in the function around `use` (parameters, receivers, var, :=, range). */
function findDeclarations(use: SyntaxNode, name: string): Declaration[] {
  const fn = topFunction(use);
  if (!fn) return [];
  const out: Declaration[] = [];
  for (const d of descendants(fn)) {
    if (d.type === 'parameter_declaration' || d.type === 'variadic_parameter_declaration') {
      for (const c of d.childrenForFieldName('name')) if (c.text === name) out.push({ kind: 'var', node: c, type: d.type === 'parameter_declaration' ? d.childForFieldName('type') : null, value: null });
    } else if (d.type === 'var_spec') {
      const names = d.childrenForFieldName('name');
      const values = d.childForFieldName('value')?.namedChildren ?? [];
      names.forEach((c, i) => {
        if (c.text === name) out.push({ kind: 'var', node: c, type: d.childForFieldName('type'), value: values.length === names.length ? values[i]! : null });
      });
    } else if (d.type === 'short_var_declaration' || d.type === 'range_clause' || d.type === 'receive_statement') {
      const left = d.childForFieldName('left')?.namedChildren ?? [];
      const right = d.childForFieldName('right');
      const rights = d.type === 'short_var_declaration' ? (right?.namedChildren ?? []) : [];
      const isDefine = d.type === 'short_var_declaration' || /:=/.test(d.text.slice(0, (right?.startIndex ?? d.endIndex) - d.startIndex));
      if (!isDefine) continue;
      left.forEach((c, i) => {
        if (c.type === 'identifier' && c.text === name) out.push({ kind: 'var', node: c, type: null, value: rights.length === left.length ? rights[i]! : null });
      });
    } else if (d.type === 'const_spec') {
      for (const c of d.childrenForFieldName('name')) if (c.text === name) out.push({ kind: 'const', node: c, type: null, value: null });
    } else if (d.type === 'type_switch_statement') {
      // A type switch binds its name once per clause, with a different type in each.
      const alias = d.childForFieldName('alias');
      for (const c of alias ? [alias, ...alias.namedChildren] : []) if (c.type === 'identifier' && c.text === name) out.push({ kind: 'var', node: c, type: null, value: null });
    }
  }
  return out;
}

function identifierType(n: SyntaxNode, pkg: PackageView, depth: number): ExprType | null {
  const name = n.text;
  const decls = findDeclarations(n, name);
  if (decls.length === 1) {
    const d = decls[0]!;
    if (d.node.startIndex > n.startIndex || d.kind !== 'var') return null;
    if (d.type) return { type: d.type.text };
    return d.value ? typeOfExpr(d.value, pkg, depth + 1) : null;
  }
  if (decls.length > 1) return null;
  const v = pkg.index.vars.get(name);
  if (v) {
    if (v.type) return { type: v.type };
    const node = v.file.tree.rootNode.descendantForIndex(v.start, v.end - 1);
    const spec = node.parent;
    const values = spec?.type === 'var_spec' ? (spec.childForFieldName('value')?.namedChildren ?? []) : [];
    const names = spec?.type === 'var_spec' ? spec.childrenForFieldName('name') : [];
    const i = names.findIndex((x) => x.startIndex === v.start);
    const value = i >= 0 && values.length === names.length ? values[i] : undefined;
    return value ? typeOfExpr(value, pkg, depth + 1) : null;
  }
  return null;
}

/** The two read helpers a fix may need, spelled for the package's go version. */
export interface ReadHelpers {
  /** `typedLoad[V](m.Load(k))` (comma-ok form). */
  load(value: string, call: string): string;
  /** `typedValue[V](m.Load(k))` (single value). */
  value(value: string, call: string): string;
  /** The declarations used, to emit once per package: name → source. */
  used: Map<string, string>;
}

/**
 * Generic helpers from go 1.18; below that, one pair per value type, named after it
 * (`typedLoadInt`), or null when the value type has no simple name.
 */
export function readHelpers(generics: boolean, anyType: string, nameFor: (base: string, source: (name: string) => string) => string): ReadHelpers {
  const used = new Map<string, string>();
  const take = (base: string, source: (name: string) => string): string => {
    const name = nameFor(base, source);
    used.set(name, source(name));
    return name;
  };
  if (generics) {
    const loadSrc = (name: string) =>
      [
        `// ${name} converts what sync.Map.Load returns to a V and whether the key was present; a`,
        '// missing key gives the zero value of V, as reading a map[K]V did.',
        `func ${name}[V any](v any, ok bool) (V, bool) {`,
        '\tvalue, _ := v.(V)',
        '\treturn value, ok',
        '}',
      ].join('\n');
    const valueSrc = (name: string) =>
      [
        `// ${name} converts what sync.Map.Load returns to a V, the zero value of V when the key is`,
        '// missing, as reading a map[K]V did.',
        `func ${name}[V any](v any, _ bool) V {`,
        '\tvalue, _ := v.(V)',
        '\treturn value',
        '}',
      ].join('\n');
    return {
      load: (value, call) => `${take('typedLoad', loadSrc)}[${value}](${call})`,
      value: (value, call) => `${take('typedValue', valueSrc)}[${value}](${call})`,
      used,
    };
  }
  const suffix = (value: string): string => {
    const v = normType(value);
    const m = /^(\*)?(?:(\w+)\.)?(\w+)$/.exec(v) ?? /^\[\](\*)?(?:(\w+)\.)?(\w+)$/.exec(v);
    if (!m) throw new HelperNameError(value);
    const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
    return `${m[2] ? cap(m[2]) : ''}${cap(m[3]!)}${m[1] ? 'Ptr' : ''}${v.startsWith('[]') ? 'Slice' : ''}`;
  };
  const loadSrc = (value: string) => (name: string) =>
    [
      `// ${name} converts what sync.Map.Load returns to the value type ${value} and whether the key`,
      `// was present; a missing key gives the zero value, as reading a map[K]${value} did.`,
      `func ${name}(v ${anyType}, ok bool) (${value}, bool) {`,
      `\tvalue, _ := v.(${value})`,
      '\treturn value, ok',
      '}',
    ].join('\n');
  const valueSrc = (value: string) => (name: string) =>
    [
      `// ${name} converts what sync.Map.Load returns to the value type ${value}: the zero value`,
      `// when the key is missing, as reading a map[K]${value} did.`,
      `func ${name}(v ${anyType}, _ bool) ${value} {`,
      `\tvalue, _ := v.(${value})`,
      '\treturn value',
      '}',
    ].join('\n');
  return {
    load: (value, call) => `${take(`typedLoad${suffix(value)}`, loadSrc(value))}(${call})`,
    value: (value, call) => `${take(`typedValue${suffix(value)}`, valueSrc(value))}(${call})`,
    used,
  };
}

export class HelperNameError extends Error {
  constructor(readonly valueType: string) {
    super(`the value type ${valueType} has no simple name for a pre-1.18 helper`);
  }
}

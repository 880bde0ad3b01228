// What an expression is, without a type checker: its type from declarations, literals, `make`,
// `new` and package function results, the map identities it may hold, and the functions it calls.
import { isMapType, lookupField, lookupMethods, text, type PackageIndex, type ParsedFile } from './package-index.js';
import type { SymRef, VarInfo } from './raw-facts.js';
import { child, unparen, type LNode } from './syntax.js';
import { baseTypeName, isMapTypeText, mapValueType } from './types.js';

export class ExpressionTypes {
  constructor(
    private readonly index: PackageIndex,
    private readonly file: ParsedFile,
    /** Resolves a name through the scopes of the code being walked. */
    private readonly lookup: (name: string) => VarInfo | undefined,
  ) {}

  private t(node: LNode): string {
    return text(this.file, node);
  }

  /** `&T{…}`, `T{…}` (not a map literal), `new(T)` or a package constructor: a value nobody else has yet. */
  isFreshStruct(value: LNode, type: string | null): boolean {
    const val = unparen(value);
    return (
      (val.type === 'unary_expression' && val.op === '&' && unparen(val.children[0] ?? val).type === 'composite_literal') ||
      (val.type === 'composite_literal' && !isMapType(this.index, type ?? this.typeOf(val))) ||
      (val.type === 'call_expression' && this.isNewCall(val))
    );
  }

  /** `T{}` or `make(T)` for a named map type T of the package: a map nobody else has yet. */
  isFreshNamedMap(value: LNode): boolean {
    const val = unparen(value);
    const t = val.type === 'composite_literal' || val.type === 'call_expression' ? this.typeOf(val) : null;
    return !!t && this.index.namedTypes.has(t.trim()) && isMapType(this.index, t);
  }

  /** `new(T)`, or a package constructor `newT(…)` / `NewT(…)` returning a struct of the package. */
  isNewCall(call: LNode): boolean {
    const f = child(call, 'function');
    if (!f || f.type !== 'identifier') return false;
    const name = this.t(f);
    if (name === 'new') return true;
    if (!/^[nN]ew/.test(name) || this.lookup(name)) return false;
    const fns = this.index.funcsByName.get(name) ?? [];
    return fns.length === 1 && this.index.structs.has(baseTypeName(this.index.funcs[fns[0]!]!.results[0] ?? ''));
  }

  methodCallees(operand: LNode, name: string): number[] {
    const type = this.typeOf(operand);
    if (type) {
      const own = lookupMethods(this.index, baseTypeName(type), name);
      return own;
    }
    // Unknown receiver type (an interface, another package's type): no edge. Guessing by name
    // made sequential code look concurrent on the standard library.
    return [];
  }

  resolveCallees(fnode: LNode): number[] {
    if (fnode.type === 'identifier') {
      const name = this.t(fnode);
      const local = this.lookup(name);
      if (local) return local.funcLit !== null ? [local.funcLit] : [];
      return this.index.funcsByName.get(name) ?? [];
    }
    if (fnode.type === 'selector_expression') {
      const operand = child(fnode, 'operand');
      const field = child(fnode, 'field');
      if (!operand || !field) return [];
      const opText = this.t(operand);
      if (operand.type === 'identifier' && !this.lookup(opText) && this.index.imports.has(opText)) return [];
      return this.methodCallees(operand, this.t(field));
    }
    return [];
  }


  /** The map identities an expression may evaluate to (empty when it is not a tracked map). */
  mapRefs(node: LNode): SymRef[] {
    // A loop, not recursion, through conversions `T(T(…(x)))`: they nest as deep as the input does.
    for (let n = unparen(node); ; ) {
      switch (n.type) {
        case 'identifier': {
          const name = this.t(n);
          const v = this.lookup(name);
          if (v) return v.refs.length > 0 ? [{ var: v.id }] : [];
          const pv = this.index.vars.get(name);
          if (pv && isMapType(this.index, pv.type ?? (pv.value ? this.typeOfPackageValue(pv.value, pv.file) : null))) {
            return [{ key: `var:${name}` }];
          }
          return [];
        }
        case 'selector_expression': {
          const operand = child(n, 'operand');
          const field = child(n, 'field');
          if (!operand || !field) return [];
          const t = this.typeOf(operand);
          if (!t) return [];
          const st = baseTypeName(t);
          const f = lookupField(this.index, st, this.t(field));
          if (f && isMapType(this.index, f.type)) return [{ key: `field:${f.owner}.${f.name}` }];
          return [];
        }
        case 'call_expression': {
          const f = child(n, 'function');
          if (!f) return [];
          const fu = unparen(f);
          if (fu.type === 'identifier' && this.index.namedTypes.has(this.t(fu)) && !this.lookup(this.t(fu))) {
            const arg = child(n, 'arguments')?.children[0];
            if (!arg) return [];
            n = unparen(arg);
            continue;
          }
          const callees = this.resolveCallees(fu).filter((i) => isMapType(this.index, this.index.funcs[i]!.results[0] ?? null));
          return callees.length > 0 ? [{ ret: callees }] : [];
        }
        case 'type_conversion_expression': {
          const operand = child(n, 'operand');
          if (!operand) return [];
          n = unparen(operand);
          continue;
        }
        default:
          return [];
      }
    }
  }

  underlyingMap(type: string): string | null {
    const t = type.trim();
    if (isMapTypeText(t)) return t;
    const named = this.index.namedTypes.get(baseTypeName(t));
    return named && isMapTypeText(named.type) ? named.type : null;
  }

  selectorType(n: LNode): string | null {
    const operand = child(n, 'operand');
    const field = child(n, 'field');
    if (!operand || !field) return null;
    const t = this.typeOf(operand);
    if (!t) return null;
    const f = lookupField(this.index, baseTypeName(t), this.t(field));
    return f ? f.type : null;
  }

  typeOfPackageValue(value: LNode, file: ParsedFile): string | null {
    // `&&…&T{}` is counted in a loop: the operators nest as deep as the input does.
    let n = unparen(value);
    let pointers = 0;
    while (n.type === 'unary_expression' && n.op === '&') {
      const inner = n.children[0];
      if (!inner) return null;
      pointers++;
      n = unparen(inner);
    }
    const t = this.packageValueBase(n, file);
    return t ? '*'.repeat(pointers) + t : null;
  }

  private packageValueBase(n: LNode, file: ParsedFile): string | null {
    if (n.type === 'composite_literal') {
      const t = child(n, 'type');
      return t ? text(file, t) : null;
    }
    if (n.type === 'call_expression') {
      const f = child(n, 'function');
      const args = child(n, 'arguments')?.children ?? [];
      if (f && text(file, f) === 'make' && args[0]) return text(file, args[0]);
      if (f && f.type === 'identifier') {
        const fns = this.index.funcsByName.get(text(file, f));
        return fns ? (this.index.funcs[fns[0]!]!.results[0] ?? null) : null;
      }
    }
    return null;
  }

  /** A light type inference: declared types, literals, `make`, `new`, calls of package functions, fields. */
  typeOf(node: LNode): string | null {
    // Operand chains (`&x`, `*p`, `a[i]`, `x.f`, `x.m()`) are walked down in a loop to the
    // innermost operand, whose type is then carried back up through each step: they nest as
    // deep as the input does.
    const steps: LNode[] = [];
    let n = unparen(node);
    for (;;) {
      const operand = this.chainOperand(n);
      if (operand === undefined) break;
      if (operand === null) return null;
      steps.push(n);
      n = unparen(operand);
    }
    let t = this.innermostType(n);
    for (let i = steps.length - 1; i >= 0 && t; i--) t = this.stepType(steps[i]!, t);
    return t || null;
  }

  /**
   * The operand whose type `n`'s type is computed from (undefined when `n` is not such a step,
   * null when the step is malformed and has no type).
   */
  private chainOperand(n: LNode): LNode | null | undefined {
    switch (n.type) {
      case 'unary_expression':
        if (n.op !== '&' && n.op !== '*') return undefined;
        return n.children[0] ?? undefined;
      case 'index_expression':
      case 'slice_expression':
        return child(n, 'operand') ?? null;
      case 'selector_expression': {
        const operand = child(n, 'operand');
        return operand && child(n, 'field') ? operand : null;
      }
      case 'call_expression': {
        // A method call's result type comes from its receiver's type (resolveCallees).
        const f = child(n, 'function');
        const fu = f ? unparen(f) : null;
        if (!fu || fu.type !== 'selector_expression') return undefined;
        const operand = child(fu, 'operand');
        if (!operand || !child(fu, 'field')) return undefined;
        if (operand.type === 'identifier' && !this.lookup(this.t(operand)) && this.index.imports.has(this.t(operand))) return undefined;
        return operand;
      }
      default:
        return undefined;
    }
  }

  /** The type of step `n` given the type of its operand (see chainOperand). */
  private stepType(n: LNode, operandType: string): string | null {
    switch (n.type) {
      case 'unary_expression':
        if (n.op === '&') return `*${operandType}`;
        return operandType.startsWith('*') ? operandType.slice(1) : null;
      case 'index_expression': {
        const m = this.underlyingMap(operandType);
        if (m) return mapValueType(m);
        if (operandType.startsWith('[]')) return operandType.slice(2);
        return null;
      }
      case 'slice_expression': {
        // `a[:0]` of an array `[N]T` (or a pointer to one) is a `[]T`; a slice or string stays itself.
        const arr = /^\*?\[[^\]]+\](.+)$/.exec(operandType.trim());
        return arr ? `[]${arr[1]}` : operandType;
      }
      case 'selector_expression': {
        const f = lookupField(this.index, baseTypeName(operandType), this.t(child(n, 'field')!));
        return f ? f.type : null;
      }
      default: {
        const fu = unparen(child(n, 'function')!);
        const name = this.t(child(fu, 'field')!);
        // `current.Load()` on an `atomic.Pointer[T]` (Go 1.19): the *T it holds.
        const ap = /^\*?atomic\.Pointer\[(.+)\]$/.exec(operandType.trim());
        if (ap && (name === 'Load' || name === 'Swap')) return `*${ap[1]!.trim()}`;
        const first = lookupMethods(this.index, baseTypeName(operandType), name)[0];
        if (first !== undefined) return this.index.funcs[first]!.results[0] ?? null;
        // A method of an interface of the package (or one a struct embeds): its declared result.
        return interfaceMethodOf(this.index, baseTypeName(operandType), name)?.result ?? null;
      }
    }
  }

  /** The type of an expression that is not an operand chain step. */
  private innermostType(n: LNode): string | null {
    switch (n.type) {
      case 'identifier': {
        const name = this.t(n);
        const v = this.lookup(name);
        if (v) return v.type;
        const pv = this.index.vars.get(name);
        if (pv) return pv.type ?? (pv.value ? this.typeOfPackageValue(pv.value, pv.file) : null);
        return null;
      }
      case 'composite_literal': {
        const t = child(n, 'type');
        return t ? this.t(t) : null;
      }
      case 'call_expression': {
        const f = child(n, 'function');
        const args = child(n, 'arguments')?.children ?? [];
        if (!f) return null;
        const fu = unparen(f);
        if (fu.type === 'identifier') {
          const name = this.t(fu);
          if (name === 'make' && args[0] && !this.lookup(name)) return this.t(args[0]);
          if (name === 'new' && args[0] && !this.lookup(name)) return `*${this.t(args[0])}`;
          if (this.index.namedTypes.has(name) && !this.lookup(name)) return name;
        }
        const callees = this.resolveCallees(fu);
        const first = callees[0];
        return first !== undefined ? (this.index.funcs[first]!.results[0] ?? null) : null;
      }
      case 'type_conversion_expression': {
        const t = child(n, 'type');
        return t ? this.t(t) : null;
      }
      case 'type_assertion_expression': {
        const t = child(n, 'type');
        return t ? this.t(t) : null;
      }
      default:
        return null;
    }
  }

  /** Types of `a, b := f()` / `v, ok := m[k]` / `v, ok := x.(T)` / `v, ok := <-ch`. */
  multiTypes(rhs: LNode, count: number): (string | null)[] {
    const n = unparen(rhs);
    if (n.type === 'call_expression') {
      const f = child(n, 'function');
      const callees = f ? this.resolveCallees(unparen(f)) : [];
      const first = callees[0];
      if (first !== undefined) return this.index.funcs[first]!.results.slice(0, count);
      return [];
    }
    if (n.type === 'index_expression' || n.type === 'type_assertion_expression') return [this.typeOf(n), 'bool'];
    return [];
  }}

/**
 * The interface of the package that declares method `name` for a value of type `type`: the type
 * itself when it is such an interface, or an interface the struct embeds (promoted). With the
 * method's first result type, when it has one. Null when neither.
 */
export function interfaceMethodOf(index: PackageIndex, type: string, name: string, depth = 0): { iface: string; result: string | null } | null {
  const named = index.namedTypes.get(type);
  if (named && /^\s*interface\b/.test(named.type)) {
    const m = new RegExp(`(?:^|[\\n;{])\\s*${name}\\s*\\(([^()]*)\\)\\s*([^\\n;}]*)`).exec(named.type);
    if (m) return { iface: type, result: firstResult(m[2]!) };
    if (depth > 3) return null;
    // Embedded interfaces: a line that is a bare type name.
    for (const e of named.type.matchAll(/(?:^|[\n;{])\s*([A-Za-z_]\w*)\s*(?=[\n;}])/g)) {
      const inner = interfaceMethodOf(index, e[1]!, name, depth + 1);
      if (inner) return inner;
    }
    return null;
  }
  const st = index.structs.get(type);
  if (!st || depth > 3) return null;
  for (const e of st.embedded) {
    const inner = interfaceMethodOf(index, baseTypeName(e.type), name, depth + 1);
    if (inner) return inner;
  }
  return null;
}

/** The first result type of a signature's result text (`*T`, `(T, error)`, `(v T, err error)`), or null. */
function firstResult(text: string): string | null {
  let t = text.trim().replace(/\/\/.*$/, '').trim();
  if (!t) return null;
  if (t.startsWith('(')) {
    t = t.slice(1, t.lastIndexOf(')') > 0 ? t.lastIndexOf(')') : undefined).split(',')[0]!.trim();
    const parts = t.split(/\s+/);
    if (parts.length === 2 && /^[a-z_]\w*$/.test(parts[0]!)) t = parts[1]!;
  }
  return t || null;
}

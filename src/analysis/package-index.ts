// Package-level declarations: struct types, named map types, package variables, functions.
import type { Tree } from '../parse/parser.js';
import type { BodyRange } from '../parse/lazy-bodies.js';
import { child, childrenOf, liteTree, LineIndex, type LNode } from './syntax.js';
import { baseTypeName, isMapTypeText } from './types.js';

export interface ParsedFile {
  rel: string;
  text: string;
  lines: LineIndex;
  tree: Tree;
  root: LNode;
  /**
   * Set when `tree` was parsed with these function bodies blanked (a scan's lazy parse,
   * parse/lazy-bodies.ts): the bodies the analysis converts are parsed on their own, into
   * `bodyTree`, at the same offsets.
   */
  bodies?: readonly BodyRange[];
  bodyTree?: Tree;
}

export interface FieldInfo {
  name: string;
  type: string;
  owner: string;
  file: ParsedFile;
  start: number;
  end: number;
}

export interface StructInfo {
  name: string;
  fields: Map<string, FieldInfo>;
  /** Embedded type names (base names, e.g. `Mutex` for `sync.Mutex`) with their full type text. */
  embedded: { name: string; type: string }[];
}

export interface NamedType {
  name: string;
  type: string;
  file: ParsedFile;
  start: number;
  end: number;
}

export interface PackageVar {
  name: string;
  type: string | null;
  value: LNode | null;
  file: ParsedFile;
  start: number;
  end: number;
}

export interface ParamInfo {
  name: string;
  type: string;
  start: number;
  end: number;
}

export interface FuncInfo {
  index: number;
  name: string;
  recvType: string | null;
  recvName: string | null;
  recvPointer: boolean;
  recvStart: number;
  params: ParamInfo[];
  results: string[];
  /** Named result parameters (`(dc *driverConn, err error)`): variables of the body. */
  namedResults: ParamInfo[];
  body: LNode | null;
  file: ParsedFile;
  start: number;
  end: number;
  /** For function literals: the enclosing function and how the literal runs. */
  parent: number;
  literal: LNode | null;
  /** How a literal is run: called where defined, by a `go`/spawner, deferred, or stored for later. */
  runs: 'sync' | 'spawned' | 'deferred' | 'stored' | 'passed' | null;
  /** For literals: the position in the parent that stands for when the literal runs. */
  anchor: number;
  exported: boolean;
  /** Whether the body was converted and walked (it mentions maps, locks or goroutines). */
  analysed: boolean;
}

export interface PackageIndex {
  name: string;
  files: ParsedFile[];
  structs: Map<string, StructInfo>;
  namedTypes: Map<string, NamedType>;
  vars: Map<string, PackageVar>;
  funcs: FuncInfo[];
  funcsByName: Map<string, number[]>;
  methodsByName: Map<string, number[]>;
  imports: Set<string>;
  /** Package constants declared `= false` (debug switches): `if c {…}` bodies are dead code. */
  falseConsts: Set<string>;
}

// The contents of composite literals (tables) and const blocks never matter at the top level.
const TOP_LEVEL_SKIPPED: ReadonlySet<string> = new Set(['literal_value', 'const_declaration']);

// `debug = false` or `debug bool = false` in a const declaration (its text, not converted).
const FALSE_CONST = /(?:^|\bconst\s+|\n\s*)(\w+)(?:\s+bool)?\s*=\s*false\s*(?:\/\/[^\n]*)?(?=\n|$|\))/g;

export function text(file: ParsedFile, node: LNode): string {
  return file.text.slice(node.start, node.end);
}

/** Reads the top-level declarations of a package's files. Function bodies are left unconverted. */
export function indexPackage(name: string, inputs: { rel: string; text: string; tree: Tree; bodies?: readonly BodyRange[]; parsedText?: string; lines?: LineIndex }[]): PackageIndex {
  const index: PackageIndex = {
    name,
    files: [],
    structs: new Map(),
    namedTypes: new Map(),
    vars: new Map(),
    funcs: [],
    funcsByName: new Map(),
    methodsByName: new Map(),
    imports: new Set(),
    falseConsts: new Set(),
  };
  for (const input of inputs) {
    // The tree is read against the text it was parsed from (a lazy parse blanks comments, whose
    // places liteTree would otherwise take for tokens); both have the same offsets.
    const root = liteTree(input.tree.rootNode, input.parsedText ?? input.text, true, TOP_LEVEL_SKIPPED);
    const file: ParsedFile = { rel: input.rel, text: input.text, lines: input.lines ?? new LineIndex(input.text), tree: input.tree, root, ...(input.bodies ? { bodies: input.bodies } : {}) };
    index.files.push(file);
    for (const decl of root.children) readDecl(index, file, decl);
  }
  return index;
}

function readDecl(index: PackageIndex, file: ParsedFile, decl: LNode): void {
  switch (decl.type) {
    case 'import_declaration':
      for (const spec of collect(decl, 'import_spec')) {
        const alias = child(spec, 'name');
        const path = child(spec, 'path');
        if (alias) index.imports.add(text(file, alias));
        else if (path) {
          const p = text(file, path).replace(/["`]/g, '');
          const last = p.split('/').pop() ?? p;
          index.imports.add(/^v\d+$/.test(last) ? (p.split('/').slice(-2)[0] ?? last) : last.replace(/^go-/, ''));
        }
      }
      break;
    case 'const_declaration':
      for (const m of text(file, decl).matchAll(FALSE_CONST)) index.falseConsts.add(m[1]!);
      break;
    case 'type_declaration':
      for (const spec of decl.children) {
        if (spec.type !== 'type_spec' && spec.type !== 'type_alias') continue;
        const nameNode = child(spec, 'name');
        const typeNode = child(spec, 'type');
        if (!nameNode || !typeNode) continue;
        const typeName = text(file, nameNode);
        if (typeNode.type === 'struct_type') {
          index.structs.set(typeName, readStruct(file, typeName, typeNode));
        }
        index.namedTypes.set(typeName, { name: typeName, type: text(file, typeNode), file, start: spec.start, end: spec.end });
      }
      break;
    case 'var_declaration':
      for (const spec of collect(decl, 'var_spec')) {
        const names = childrenOf(spec, 'name');
        const typeNode = child(spec, 'type');
        const values = child(spec, 'value');
        names.forEach((n, i) => {
          const varName = text(file, n);
          if (varName === '_') return;
          index.vars.set(varName, {
            name: varName,
            type: typeNode ? text(file, typeNode) : null,
            value: values?.children[i] ?? null,
            file,
            start: n.start,
            end: n.end,
          });
        });
      }
      break;
    case 'function_declaration':
    case 'method_declaration':
      addFunc(index, file, decl);
      break;
  }
}

/** The outermost nodes of `type` under `node`, in source order (an explicit stack: nesting is unbounded). */
function collect(node: LNode, type: string): LNode[] {
  const out: LNode[] = [];
  const stack: LNode[] = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.type === type) out.push(n);
    else for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
  }
  return out;
}

function readStruct(file: ParsedFile, owner: string, structNode: LNode): StructInfo {
  const info: StructInfo = { name: owner, fields: new Map(), embedded: [] };
  const list = structNode.children.find((c) => c.type === 'field_declaration_list');
  for (const fd of list?.children ?? []) {
    if (fd.type !== 'field_declaration') continue;
    const names = childrenOf(fd, 'name');
    const typeNode = child(fd, 'type');
    if (!typeNode) continue;
    const type = text(file, typeNode);
    if (names.length === 0) {
      const embeddedName = baseTypeName(type).split('.').pop() ?? type;
      info.embedded.push({ name: embeddedName, type });
      info.fields.set(embeddedName, { name: embeddedName, type, owner, file, start: fd.start, end: fd.end });
      continue;
    }
    for (const n of names) {
      const fieldName = text(file, n);
      info.fields.set(fieldName, { name: fieldName, type, owner, file, start: n.start, end: n.end });
    }
  }
  return info;
}

export function readParams(file: ParsedFile, list: LNode | undefined): ParamInfo[] {
  const out: ParamInfo[] = [];
  if (!list) return out;
  for (const p of list.children) {
    if (p.type !== 'parameter_declaration' && p.type !== 'variadic_parameter_declaration') continue;
    const typeNode = child(p, 'type');
    let type = typeNode ? text(file, typeNode) : '';
    if (p.type === 'variadic_parameter_declaration') type = `[]${type}`;
    const names = childrenOf(p, 'name');
    if (names.length === 0) out.push({ name: '_', type, start: p.start, end: p.end });
    for (const n of names) out.push({ name: text(file, n), type, start: n.start, end: n.end });
  }
  return out;
}

export function readResults(file: ParsedFile, result: LNode | undefined): string[] {
  if (!result) return [];
  if (result.type === 'parameter_list') return readParams(file, result).map((p) => p.type);
  return [text(file, result)];
}

export function namedResults(file: ParsedFile, result: LNode | undefined): ParamInfo[] {
  if (!result || result.type !== 'parameter_list') return [];
  return readParams(file, result).filter((p) => p.name !== '_');
}

function addFunc(index: PackageIndex, file: ParsedFile, decl: LNode): void {
  const nameNode = child(decl, 'name');
  if (!nameNode) return;
  const name = text(file, nameNode);
  let recvType: string | null = null;
  let recvName: string | null = null;
  let recvPointer = false;
  let recvStart = -1;
  if (decl.type === 'method_declaration') {
    const recv = readParams(file, child(decl, 'receiver'))[0];
    if (recv) {
      recvType = baseTypeName(recv.type);
      recvPointer = recv.type.trim().startsWith('*');
      recvName = recv.name === '_' ? null : recv.name;
      recvStart = recv.start;
    }
  }
  const info: FuncInfo = {
    index: index.funcs.length,
    name,
    recvType,
    recvName,
    recvPointer,
    recvStart,
    params: readParams(file, child(decl, 'parameters')),
    results: readResults(file, child(decl, 'result')),
    namedResults: namedResults(file, child(decl, 'result')),
    body: child(decl, 'body') ?? null,
    file,
    start: decl.start,
    end: decl.end,
    parent: -1,
    literal: null,
    runs: null,
    anchor: -1,
    exported: /^[A-Z]/.test(name),
    analysed: false,
  };
  index.funcs.push(info);
  const table = recvType ? index.methodsByName : index.funcsByName;
  const list = table.get(name);
  if (list) list.push(info.index);
  else table.set(name, [info.index]);
}

/** Whether a type text names a map, directly or through a named map type of the package. */
/** The declaration a function literal is written in (at any depth); a declared function itself. */
export function outermostFunction(index: PackageIndex, f: number): FuncInfo {
  let g = index.funcs[f]!;
  while (g.parent >= 0 && index.funcs[g.parent]) g = index.funcs[g.parent]!;
  return g;
}

export function isMapType(index: PackageIndex, type: string | null): boolean {
  if (!type) return false;
  const t = type.trim();
  if (isMapTypeText(t)) return true;
  if (t.startsWith('*')) return false;
  const named = index.namedTypes.get(baseTypeName(t));
  return !!named && isMapTypeText(named.type);
}

/** Finds a field of a struct type, following embedded structs (promotion). */
export function lookupField(index: PackageIndex, structName: string, field: string, depth = 0): FieldInfo | null {
  const s = index.structs.get(structName);
  if (!s || depth > 4) return null;
  const direct = s.fields.get(field);
  if (direct) return direct;
  for (const e of s.embedded) {
    const hit = lookupField(index, baseTypeName(e.type), field, depth + 1);
    if (hit) return hit;
  }
  return null;
}

/** Finds the methods named `name` of a type, following embedded structs. */
export function lookupMethods(index: PackageIndex, typeName: string, name: string, depth = 0): number[] {
  const own = (index.methodsByName.get(name) ?? []).filter((i) => index.funcs[i]!.recvType === typeName);
  if (own.length > 0 || depth > 4) return own;
  const s = index.structs.get(typeName);
  for (const e of s?.embedded ?? []) {
    const hit = lookupMethods(index, baseTypeName(e.type), name, depth + 1);
    if (hit.length > 0) return hit;
  }
  return [];
}

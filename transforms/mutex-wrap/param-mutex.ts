// mutex-wrap inline, a local map handed to functions as a parameter (issue 14 item 4): a loader
// per shard, a worker run with `go`, each writing the map it is given. The new mutex is declared
// beside the map and passed along with it: the function gets a `<param>Mu *sync.Mutex` parameter
// right after the map's, each call passes `&<map>Mu` (or, in a recursive call, its own `<param>Mu`),
// and the function's accesses lock it. Only unexported plain functions whose every use is a call
// that passes this map: their signature is the package's own business.
import type { MapDecl } from '../../src/analysis/model.js';
import type { ResolvedSite } from '../../src/analysis/concurrency.js';
import type { ParsedFile } from '../../src/analysis/package-index.js';
import type { SyntaxNode } from '../../src/parse/parser.js';
import type { TextEdit } from '../../src/plan/model.js';
import type { PackageView } from '../../src/plan/transform.js';
import { descendants, nodeAt } from '../../src/plan/go-syntax.js';
import { leavesNamed } from '../../src/plan/occurrences.js';
import { decline, lineOf, siteAt as at } from '../../src/plan/decline.js';

/** One function that receives the map as a parameter. */
export interface ParamCallee {
  func: number;
  name: string;
  file: ParsedFile;
  /** The parameter that receives the map, and the mutex parameter added after it. */
  param: string;
  mutex: string;
  /** Index of the map's parameter among all parameters (names flattened). */
  index: number;
  /** The parameter declaration the mutex parameter follows. */
  after: SyntaxNode;
  /** Every call of the function: its node, the file it is in, and whether the function calls itself. */
  calls: { file: ParsedFile; call: SyntaxNode; recursive?: boolean }[];
}

/**
 * The functions outside the map's own function (and its literals) that reach it, each through a
 * parameter; declines, naming the site, where one cannot take the mutex along.
 */
export function paramCallees(decl: MapDecl, outside: ResolvedSite[], inOwner: (func: number) => boolean, pkg: PackageView, files: Map<string, ParsedFile>): Map<number, ParamCallee> {
  const out = new Map<number, ParamCallee>();
  for (const s of outside) {
    if (out.has(s.func)) continue;
    const fn = pkg.index.funcs[s.func]!;
    const why = `${at(s)} accesses ${decl.name} in ${fn.name}, which receives it as a parameter`;
    if (fn.literal !== null) decline(`${why}, inside a function literal; a mutex cannot be passed along there`);
    if (fn.recvType) decline(`${why}; ${fn.name} is a method, and a mutex is passed along only to plain functions`);
    if (!/^[a-z_]/.test(fn.name)) decline(`${why}; ${fn.name} is exported, and a new parameter would change its API`);
    const file = files.get(fn.file.rel) ?? decline(`${fn.file.rel} is not among the scanned files`);
    const node = nodeAt(file, fn.start, fn.end);
    const fnDecl = node.type === 'function_declaration' ? node : null;
    if (!fnDecl) decline(`${why}; its declaration was not found`);
    const param = mapOperandName(file, s) ?? decline(`${why}, spelled as ${s.text}; only a parameter used by its own name can take the mutex along`);
    const params = fnDecl!.childForFieldName('parameters')!.namedChildren.filter((c) => c.type !== 'comment');
    let index = -1;
    let after: SyntaxNode | null = null;
    let i = 0;
    for (const p of params) {
      if (p.type === 'variadic_parameter_declaration') decline(`${why}; ${fn.name} is variadic, so a parameter cannot be added after ${param}`);
      const names = p.namedChildren.filter((c) => c.type === 'identifier');
      for (const n of names.length > 0 ? names : [null]) {
        if (n?.text === param) {
          index = i;
          after = p;
        }
        i++;
      }
    }
    if (index < 0 || !after) decline(`${why}, but ${param} is not one of its parameters`);
    const body = fnDecl!.childForFieldName('body')!;
    // The parameter is the map throughout: never given another value.
    for (const id of [...descendants(body)].filter((d) => d.type === 'identifier' && d.text === param)) {
      const p = id.parent;
      const assigned = (p?.type === 'expression_list' && (p.parent?.type === 'assignment_statement' || p.parent?.type === 'short_var_declaration') && p.parent.childForFieldName('left')?.id === p.id) || p?.type === 'parameter_declaration';
      if (assigned) decline(`${lineOf(file, id.startIndex)} gives ${param} another value in ${fn.name}; the mutex passed along would not guard it`);
    }
    const mutex = freeName(`${param}Mu`, fnDecl!.text);
    out.set(s.func, { func: s.func, name: fn.name, file, param, mutex, index, after: after!, calls: callsOf(fn.name, files, why) });
  }
  // Each call passes this map (from its own function) or the callee's parameter (a recursive call).
  for (const c of out.values()) {
    for (const entry of c.calls) {
      const { file, call } = entry;
      const args = call.childForFieldName('arguments')!.namedChildren.filter((a) => a.type !== 'comment');
      const arg = args[c.index];
      const caller = innermostFunc(pkg, file, call);
      const ok = arg && ((arg.text === decl.name && caller >= 0 && inOwner(caller)) || (arg.text === c.param && caller === c.func));
      if (!ok) decline(`${lineOf(file, call.startIndex)} calls ${c.name} with ${arg?.text ?? 'no argument'} for ${c.param}, not with ${decl.name}; only a function every call gives this map can take its mutex along`);
      entry.recursive = caller === c.func;
    }
  }
  return out;
}

/** `out[k]`, `len(out)`, `delete(out, k)`, `range out` → `out`, when the map is spelled as a name. */
function mapOperandName(file: ParsedFile, s: ResolvedSite): string | null {
  const node = nodeAt(file, s.span.start, s.span.end);
  for (const n of [node, ...descendants(node)]) {
    if (n.type === 'index_expression') {
      const op = n.childForFieldName('operand');
      return op?.type === 'identifier' ? op.text : null;
    }
  }
  return node.type === 'identifier' ? node.text : (/^[A-Za-z_]\w*$/.exec(s.raw.mapText ?? '')?.[0] ?? null);
}

/** Every call of a plain function; declines where its name is used otherwise (as a value). */
function callsOf(name: string, files: Map<string, ParsedFile>, why: string): { file: ParsedFile; call: SyntaxNode }[] {
  const calls: { file: ParsedFile; call: SyntaxNode }[] = [];
  for (const file of files.values()) {
    for (const id of leavesNamed(file, 'identifier', name)) {
      const p = id.parent;
      if (p?.type === 'function_declaration' && p.childForFieldName('name')?.id === id.id) continue;
      if (p?.type === 'call_expression' && p.childForFieldName('function')?.id === id.id) {
        calls.push({ file, call: p });
        continue;
      }
      decline(`${why}, and ${lineOf(file, id.startIndex)} uses ${name} as a value; a new parameter would not fit there`);
    }
  }
  return calls;
}

/** The index of the innermost function (declaration or literal) holding a node, or -1. */
function innermostFunc(pkg: PackageView, file: ParsedFile, node: SyntaxNode): number {
  let best = -1;
  pkg.index.funcs.forEach((f, i) => {
    if (f.file.rel !== file.rel || f.start > node.startIndex || node.endIndex > f.end) return;
    if (best < 0 || f.start > pkg.index.funcs[best]!.start) best = i;
  });
  return best;
}

function freeName(base: string, text: string): string {
  const taken = (n: string) => new RegExp(`\\b${n}\\b`).test(text);
  if (!taken(base)) return base;
  for (let i = 2; ; i++) if (!taken(`${base}${i}`)) return `${base}${i}`;
}

/** The signature and call edits once the mutex type is known (`sync.Mutex` or `sync.RWMutex`). */
export function paramEdits(callees: Map<number, ParamCallee>, ownerMutex: string, type: string): { edits: TextEdit[]; files: string[] } {
  const edits: TextEdit[] = [];
  const files = new Set<string>();
  for (const c of callees.values()) {
    edits.push({ file: c.file.rel, start: c.after.endIndex, end: c.after.endIndex, text: `, ${c.mutex} *${type}` });
    files.add(c.file.rel);
    for (const { file, call, recursive } of c.calls) {
      const args = call.childForFieldName('arguments')!.namedChildren.filter((a) => a.type !== 'comment');
      const arg = args[c.index]!;
      edits.push({ file: file.rel, start: arg.endIndex, end: arg.endIndex, text: `, ${recursive ? c.mutex : `&${ownerMutex}`}` });
    }
  }
  return { edits, files: [...files] };
}

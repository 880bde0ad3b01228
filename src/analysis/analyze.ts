// One directory of Go files in, findings and per-file errors out. A pure function of the texts.
import { parseGo, parseGoRanges, firstSyntaxProblem, topLevelText } from '../parse/parser.js';
import { blankSpans, checkBlanked, complement, lazyRanges, lazySpans, onlyRanges, sameBodies, type BodyRange } from '../parse/lazy-bodies.js';
import { firstGoRuleProblem } from '../parse/go-rules.js';
import { LineIndex } from '../parse/lines.js';
import { partialMessage, recoverAroundErrors } from '../parse/recover.js';
import { basename } from 'node:path';
import { decodeGoSource } from '../files/source.js';
import { excludedByConstraints, targetPlatform, type Platform } from '../files/build-constraints.js';
import type { FileError, Finding, SkippedFile, SourceSpan } from './model.js';
import { indexPackage, isMapType, type FuncInfo, type PackageIndex, type ParsedFile } from './package-index.js';
import { child, isFuncDecl, liteTree, type LNode } from './syntax.js';
import { hasGoStatement, walkPackage } from './walker.js';
import { resolvePackage } from './concurrency.js';
import { buildRuleContext } from './rules/shared-map.js';
import { RULES } from './rules/index.js';
import { IgnoreLedger } from './ignore-comments.js';

export interface FileInput {
  rel: string;
  bytes: Uint8Array;
}

export interface DirResult {
  findings: Finding[];
  errors: FileError[];
  skipped: SkippedFile[];
}

const GENERATED = /^\/\/ Code generated .* DO NOT EDIT\.\r?$/m;

export interface PackageInput {
  rel: string;
  text: string;
  tree: ReturnType<typeof parseGo>;
  /** Set when `tree` was parsed with these function bodies blanked (`parseDir`'s `lazy`). */
  bodies?: readonly BodyRange[];
  /** The text `tree` was parsed from, when not `text` (a lazy parse's blanked text; same offsets). */
  parsedText?: string;
  /** The line starts of `text`, when the parse already found them. */
  lines?: LineIndex;
}

/** A directory's files decoded, filtered and parsed, grouped by package clause. */
export interface ParsedDir {
  packages: Map<string, PackageInput[]>;
  errors: FileError[];
  skipped: SkippedFile[];
}

export interface ParseOptions {
  /**
   * Parse only what the analysis reads (a scan; docs/lazy-parsing.md): every file's declarations,
   * with the function bodies and top-level composite literals blanked; `analyzeDir` parses the
   * bodies the analysis converts later, and falls back to a full parse of a file whose bodies show
   * a problem. A syntax error inside a body the analysis never reads is then not reported. Fix and
   * triage parse in full: a file they may rewrite is checked whole.
   */
  lazy?: boolean;
}

/** Decodes and parses one directory's files; generated, other-platform and broken files are listed, not parsed on. */
export function parseDir(files: FileInput[], platform: Platform | null = targetPlatform(), options: ParseOptions = {}): ParsedDir {
  const result: ParsedDir = { packages: new Map(), errors: [], skipped: [] };
  for (const f of files) {
    const decoded = decodeGoSource(f.bytes);
    if (!decoded.ok) {
      result.errors.push({ file: f.rel, message: decoded.message });
      continue;
    }
    const { text } = decoded.source;
    const generated = generatedMarker(text);
    if (generated) {
      const where = generated === 'after-package' ? ', after the package clause' : '';
      result.skipped.push({ file: f.rel, reason: `generated file (Code generated … DO NOT EDIT.${where})` });
      continue;
    }
    const excluded = platform && excludedByConstraints(basename(f.rel), text, platform);
    if (platform && excluded) {
      result.skipped.push({ file: f.rel, reason: `not in the ${platform.goos}/${platform.goarch} build (${excluded}); set GOOS/GOARCH to scan it` });
      continue;
    }
    const lazy = options.lazy ? parseLazily(f.rel, text) : null;
    const { input, error } = lazy ? { input: lazy, error: undefined } : parseFile(f.rel, text);
    if (error) result.errors.push(error);
    if (!input) continue;
    const pkg = packageName(topLevelText(input.tree, input.text, 'package_clause') ?? '');
    const list = result.packages.get(pkg) ?? [];
    list.push(input);
    result.packages.set(pkg, list);
  }
  return result;
}

/**
 * Parses a whole file. A file tree-sitter or Go's rules reject is an error and has no input; valid
 * Go that tree-sitter misreads has both: the declarations around the error are analysed, and the
 * file stays under errors (so fix declines its package and never rewrites it).
 */
function parseFile(rel: string, text: string): { input?: PackageInput; error?: FileError } {
  const tree = parseGo(text);
  // tree-sitter accepts some files Go rejects (`go x`, `"\q"`, top-level statements): never analysed.
  const problem = firstSyntaxProblem(tree, text) ?? firstGoRuleProblem(tree, text);
  if (!problem) return { input: { rel, text, tree } };
  const recovered = problem.validGo ? recoverAroundErrors(text, tree) : null;
  if (!recovered || firstGoRuleProblem(recovered.tree, recovered.text)) {
    return { error: { file: rel, message: `${problem.line}:${problem.column}: ${problem.message}; file not analysed` } };
  }
  return {
    input: { rel, text: recovered.text, tree: recovered.tree },
    error: { file: rel, message: partialMessage(`${problem.line}:${problem.column}: ${problem.message}`, recovered.skipped) },
  };
}

/**
 * Parses a file with its function bodies blanked; null when that cannot stand in for the whole
 * file (the text does not lex, the declarations show a problem, the tree places the bodies
 * elsewhere): the file is then parsed whole, and its problem reported as before.
 */
function parseLazily(rel: string, text: string): PackageInput | null {
  if (text.includes('\u0000')) return null;
  const ranges = lazyRanges(text);
  if (!ranges) return null;
  const spans = lazySpans(ranges);
  // The tree is parsed from the text outside the spans; the text with the spans blanked is what
  // the tree is read against (liteTree, the Go-rule checks).
  const blanked = blankSpans(text, spans);
  const lines = new LineIndex(text);
  const tree = spans.length > 0 ? parseGoRanges(text, complement(text.length, spans), lines) : parseGo(text);
  // The bodies are checked against the tree's functions when the package is indexed.
  if (tree.rootNode.hasError || firstGoRuleProblem(tree, blanked) || !checkBlanked(tree, ranges.literals, ranges.constGroups)) return null;
  return { rel, text, tree, bodies: ranges.bodies, parsedText: blanked, lines };
}

/** Thrown when the bodies a lazily parsed file's analysis needs do not parse cleanly on their own. */
export class LazyParseFallback extends Error {
  constructor(readonly file: string) {
    super(`${file}: bodies need a full parse`);
  }
}

/** Analyses the Go files of one directory (one or more packages: `foo` and `foo_test`). */
export function analyzeDir(files: FileInput[], platform: Platform | null = targetPlatform(), options: FactOptions = {}): DirResult {
  const parsed = parseDir(files, platform, { lazy: true });
  const result: DirResult = { findings: [], errors: parsed.errors, skipped: parsed.skipped };
  for (const [name, inputs] of parsed.packages) {
    for (;;) {
      try {
        result.findings.push(...analyzePackageWithFacts(name, inputs, options).findings);
        break;
      } catch (err) {
        if (!(err instanceof LazyParseFallback)) throw err;
        // A body the analysis reads does not parse on its own: the file is parsed whole, its
        // problem reported as a full parse reports it, and the package analysed again.
        const at = inputs.findIndex((i) => i.rel === err.file);
        const input = inputs[at]!;
        options.ignores?.forget(input.rel);
        const full = parseFile(input.rel, input.text);
        if (full.error) result.errors.push(full.error);
        if (full.input) inputs[at] = full.input;
        else inputs.splice(at, 1);
      }
    }
  }
  return result;
}

/**
 * Where a file says it is generated: before the package clause (Go's convention), or after it
 * but before the first declaration (older msgp writes `package p` first), as golangci-lint's
 * lax mode also accepts. A marker further down is a comment on a declaration or text in a
 * string (a generator's template), not a marker.
 */
function generatedMarker(text: string): 'header' | 'after-package' | null {
  const pkg = /^package\s/m.exec(text);
  if (!pkg) return GENERATED.test(text.slice(0, 4096)) ? 'header' : null;
  if (GENERATED.test(text.slice(0, pkg.index))) return 'header';
  const decl = /^(?:func|type|var|const)\b/m.exec(text.slice(pkg.index));
  const preamble = text.slice(pkg.index, decl ? pkg.index + decl.index : pkg.index + 16384);
  return GENERATED.test(preamble) ? 'after-package' : null;
}

function packageName(clause: string): string {
  return clause.replace(/^package\s+/, '').trim();
}

export interface FactOptions {
  /**
   * Record the map accesses of every body that mentions a map, even in a package with no goroutine,
   * lock or handler (triage: a runtime report proves concurrency the package does not show).
   */
  allBodies?: boolean;
  /**
   * Also report a range that holds the map's lock while it calls a callback the package never shows
   * coming back to the map (`--hazards`): a design hazard (a future re-entrant callback deadlocks,
   * a slow one stalls writers), not a race; off by default (docs/rules.md).
   */
  hazards?: boolean;
  /**
   * Also report accesses a test makes from its own goroutine (the test function and what it calls,
   * not a goroutine it starts) to a map the package's code guards (`--strict-tests`; docs/rules.md).
   */
  strictTests?: boolean;
  /** Where the ignore comments of the analysed files are kept, with the ones that silenced a finding. */
  ignores?: IgnoreLedger;
}

/** Runs every rule over one package. */
export function analyzePackage(name: string, inputs: PackageInput[]): Finding[] {
  return analyzePackageWithFacts(name, inputs).findings;
}

/** The findings of one package and the facts they came from (null when the package has no map). */
export function analyzePackageWithFacts(
  name: string,
  inputs: PackageInput[],
  options: FactOptions = {},
): { findings: Finding[]; facts: NonNullable<ReturnType<typeof packageFacts>> | null } {
  // The run's ledger (scan: unknown rules, unused comments) hears of every analysed file.
  const ignores = options.ignores ?? new IgnoreLedger();
  ignores.register(inputs);
  // Without `map[` in any file the package declares no map: nothing to find.
  if (!inputs.some((i) => i.text.includes('map['))) return { findings: [], facts: null };
  const built = packageFacts(name, inputs, options);
  if (!built) return { findings: [], facts: null };
  const { ctx } = built;
  const findings: Finding[] = [];
  // One place reached under two identities (a parameter and the caller's map) is reported once.
  const seen = new Set<string>();
  for (const rule of RULES) {
    for (const f of rule.run(ctx)) {
      const key = `${f.rule}|${f.span.file}|${f.span.start}`;
      if (seen.has(key) || ignores.silences(f.span.file, f.span.line, f.rule)) continue;
      seen.add(key);
      findings.push(f);
    }
  }
  return { findings, facts: built };
}

/** The package facts and per-map view the rules read (null when no map is accessed at all). */
export function packageFacts(name: string, inputs: PackageInput[], options: FactOptions = {}) {
  const index = indexPackage(name, inputs);
  selectAndConvertBodies(index, !!options.allBodies);
  const raw = walkPackage(index);
  if (raw.sites.length === 0) return null;
  const files = new Map(index.files.map((f) => [f.rel, f]));
  const span = (file: string, start: number, end: number): SourceSpan => {
    const f = files.get(file)!;
    const a = f.lines.position(start);
    const b = f.lines.position(end);
    return { file, line: a.line, column: a.column, endLine: b.line, endColumn: b.column, start, end };
  };
  const flow = resolvePackage(index, raw, span, { strictTests: !!options.strictTests });
  return { index, raw, flow, ctx: buildRuleContext(flow, { hazards: !!options.hazards }) };
}

/**
 * Converts the bodies that can matter: those that mention a map the package declares, a map
 * parameter, a lock, `once.Do` or a goroutine, or make a map and range. The rest only
 * contribute call edges, read from their text.
 */
function selectAndConvertBodies(index: PackageIndex, allBodies: boolean): void {
  const names = new Set<string>();
  const fields = new Set<string>();
  for (const v of index.vars.values()) if (isMapType(index, v.type) || (v.value && /\bmap\[|^make\(map/.test(textOf(v.file.text, v.value)))) names.add(v.name);
  // Struct types holding maps, directly or in struct-valued fields (`b.m.index`).
  const holders = new Set<string>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const s of index.structs.values()) {
      for (const f of s.fields.values()) {
        // A holder by value, pointer, or as the element of a slice, array or map (`hashes []hashmap`).
        const elem = f.type.trim().replace(/^(?:\*|\[\d*\]|map\[[^\]]*\])+/, '');
        if (!isMapType(index, f.type) && !holders.has(f.type.trim()) && !holders.has(elem)) continue;
        fields.add(f.name);
        if (!holders.has(s.name)) {
          holders.add(s.name);
          changed = true;
        }
      }
    }
  }
  // Where values of these types are made or passed decides whether they are confined.
  for (const h of holders) if (/^[a-z]/.test(h)) names.add(h);
  for (const t of index.namedTypes.values()) if (isMapType(index, t.name)) names.add(t.name);
  // Package maps are named bare; fields only ever after a dot.
  const alternatives = [
    ...(names.size > 0 ? [`\\b(?:${[...names].map(escapeRe).join('|')})\\b`] : []),
    ...(fields.size > 0 ? [`\\.(?:${[...fields].map(escapeRe).join('|')})\\b`] : []),
  ];
  const wordRe = alternatives.length > 0 ? new RegExp(alternatives.join('|')) : null;
  // Bodies that build a value holding maps: calls made on it before it is published are
  // construction (docs/ordering.md), which only a walked body shows.
  const exportedHolders = [...holders].filter((h) => /^[A-Z]/.test(h));
  const buildsRe = exportedHolders.length > 0 ? new RegExp(`\\b(?:${exportedHolders.map(escapeRe).join('|')})\\s*\\{|\\bnew\\((?:${exportedHolders.map(escapeRe).join('|')})\\)`) : null;
  // Bodies handed a value holding maps as a parameter (`handleMessage(session *Session)`) pass it
  // on: walked, the chain of calls shows where the value comes from (docs/confidence.md, "Each
  // run builds its own value").
  const holderParamRe = holders.size > 0 ? new RegExp(`^\\*?(?:${[...holders].map(escapeRe).join('|')})$`) : null;
  // `Lock\b` also matches lock helpers named `…Lock`; `.lock()`, `.rlock()` are helpers too (a
  // method of the receiver, or of an interface: docs/locks.md).
  const concurrency = /\bgo\s+(?:func\b|[\w.]+\s*[([])|Lock\b|\.r?(?:un)?lock\(\)|HandleFunc|\.Handle\(|AfterFunc|\.Go\(|\.Do\(|ServeHTTP/;
  const concurrent = allBodies || index.files.some((f) => concurrency.test(f.text) || f.text.includes('context.Context'));
  // Helpers that take a function and start a goroutine (`func spawn(f func()) { go f() }`, nats'
  // `startGoRoutine`): a body handing one a literal over a map it made shares that map with the
  // goroutine (docs/ordering.md, "Literals started through a helper"), which only a walked body shows.
  const spawnHelpers = new Set<string>();
  for (const fn of index.funcs) {
    if (!fn.literal && takesFunc(fn) && hasGoStatement(fn)) spawnHelpers.add(fn.name);
  }
  const spawnHelperRe = spawnHelpers.size > 0 ? new RegExp(`\\b(?:${[...spawnHelpers].map(escapeRe).join('|')})\\s*\\(`) : null;
  // Functions a `go` statement starts that take a function (`go bootstrapTrace("x", func(){…})`):
  // a literal handed there runs in that goroutine when the function calls it, which only a walked
  // body of the function shows (concurrency.ts addGoArguments).
  const goStarted = new Set<string>();
  for (const f of index.files) for (const m of f.text.matchAll(/\bgo\s+(?:[\w]+\.)*(\w+)\s*\(/g)) goStarted.add(m[1]!);
  const chosen: FuncInfo[] = [];
  for (const fn of index.funcs) {
    if (!fn.body) continue;
    const body = fn.file.text.slice(fn.body.start, fn.body.end);
    const signature = fn.file.text.slice(fn.start, fn.body.start);
    // A body whose only map is one it makes itself (no goroutine, lock, shared map or map
    // parameter) can only break the insert-during-range rule, so it matters only if it ranges.
    const mentionsMap = () =>
      body.includes('map[') || signature.includes('map[') || (wordRe !== null && (wordRe.test(body) || wordRe.test(signature))) || isMapType(index, fn.recvType);
    // Without goroutines, handlers or locks in the package, only the insert-during-range rule
    // can fire: only bodies that range over a map matter.
    const relevant = concurrent
      ? concurrency.test(body) ||
        concurrency.test(signature) ||
        signature.includes('map[') ||
        (wordRe !== null && (wordRe.test(body) || wordRe.test(signature))) ||
        (buildsRe !== null && buildsRe.test(body)) ||
        (holderParamRe !== null && fn.params.some((p) => holderParamRe.test(p.type.trim()))) ||
        isMapType(index, fn.recvType) ||
        (body.includes('map[') && /\brange\b/.test(body)) ||
        (spawnHelperRe !== null && body.includes('map[') && spawnHelperRe.test(body)) ||
        (!fn.literal && goStarted.has(fn.name) && takesFunc(fn))
      : /\brange\b/.test(body) && mentionsMap();
    if (!relevant) continue;
    chosen.push(fn);
  }
  // A lazy parse blanked what its text scan took for the function bodies: the tree must have found
  // exactly those (anything else takes the full parse).
  const declared = new Map<ParsedFile, BodyRange[]>();
  for (const fn of index.funcs) {
    if (fn.literal || !fn.body || !fn.file.bodies) continue;
    const list = declared.get(fn.file);
    if (list) list.push({ start: fn.body.start, end: fn.body.end });
    else declared.set(fn.file, [{ start: fn.body.start, end: fn.body.end }]);
  }
  for (const file of index.files) {
    if (file.bodies && !sameBodies((declared.get(file) ?? []).sort((a, b) => a.start - b.start), file.bodies)) throw new LazyParseFallback(file.rel);
  }
  // Lazily parsed files (parseDir's `lazy`): the chosen bodies, each one the lazy parse left out
  // (checked just above), are parsed now.
  const byFile = new Map<ParsedFile, FuncInfo[]>();
  for (const fn of chosen) {
    if (!fn.file.bodies) continue;
    const list = byFile.get(fn.file);
    if (list) list.push(fn);
    else byFile.set(fn.file, [fn]);
  }
  for (const [file, fns] of byFile) {
    // Each chosen function is parsed whole (signature and body), at its own offsets, up to the
    // line break that ends the declaration (Go's grammar wants one between declarations).
    const lineEnd = (at: number) => {
      const nl = file.text.indexOf('\n', at);
      return nl < 0 ? file.text.length : nl + 1;
    };
    const ranges = fns.map((fn) => ({ start: fn.start, end: lineEnd(fn.body!.end) })).sort((a, b) => a.start - b.start);
    const tree = parseGoRanges(file.text, ranges, file.lines);
    if (tree.rootNode.hasError || firstGoRuleProblem(tree, onlyRanges(file.text, ranges), { bodiesOnly: true })) throw new LazyParseFallback(file.rel);
    file.bodyTree = tree;
  }
  // The second parse's functions, converted in one go per file: their bodies by start.
  const parsedBodies = new Map<ParsedFile, Map<number, LNode>>();
  const parsedBody = (fn: FuncInfo): LNode | undefined => {
    const file = fn.file;
    if (!file.bodyTree) return undefined;
    let byStart = parsedBodies.get(file);
    if (!byStart) {
      byStart = new Map();
      for (const decl of liteTree(file.bodyTree.rootNode, file.text).children) {
        const body = child(decl, 'body');
        if (body && body.type === 'block' && isFuncDecl(decl.type)) byStart.set(body.start, body);
      }
      parsedBodies.set(file, byStart);
    }
    const body = byStart.get(fn.body!.start);
    return body && body.end === fn.body!.end ? body : undefined;
  };
  for (const fn of chosen) {
    if (!fn.body) continue;
    let lite = parsedBody(fn);
    if (!lite) {
      const node = (fn.file.bodyTree ?? fn.file.tree).rootNode.namedDescendantForIndex(fn.body.start, fn.body.end - 1);
      let block = node;
      while (block && !(block.type === 'block' && block.startIndex === fn.body.start && block.endIndex === fn.body.end)) block = block.parent!;
      if (!block) continue;
      lite = liteTree(block, fn.file.text);
    }
    lite.field = 'body';
    lite.parent = fn.body.parent;
    fn.body = lite;
    fn.analysed = true;
  }
}

/** A function with a func-typed parameter (`f func()`, `fs ...func()`). */
function takesFunc(fn: FuncInfo): boolean {
  return fn.params.some((p) => /^(?:\.\.\.)?func\b/.test(p.type.trim()));
}

function textOf(text: string, node: LNode): string {
  return text.slice(node.start, node.end);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

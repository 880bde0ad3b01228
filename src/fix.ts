// The fix pipeline: discover → analyse → one transform per finding → merge → rewrite → Plan.
// Nothing here writes files; src/plan/write.ts does, from the Plan.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { analyzePackageWithFacts, parseDir, type FileInput } from './analysis/analyze.js';
import { targetPlatform } from './files/build-constraints.js';
import { DEFAULT_MAX_FILE_SIZE, describeFsError, discover } from './files/discover.js';
import { decodeGoSource } from './files/source.js';
import type { Conflict, Fix, Plan, PlannedFile } from './plan/model.js';
import { toJson, type JsonFinding } from './scan.js';
import { withoutExcluded } from './config/exclude.js';
import { demoteUncalled, moduleGoFiles, NameReferences, readTexts } from './analysis/references.js';
import { joinAdjacentRegions } from './plan/join-regions.js';
import { editsForFile, mergeFixes } from './plan/merge.js';
import { isGofmtClean, rewriteFile } from './plan/apply.js';
import { fileBytes } from './plan/write.js';
import type { PackageView, TransformOptions, TransformResult } from './plan/transform.js';
import { planAuto, type AutoRules } from './plan/auto.js';
import type { Finding, MapDecl } from './analysis/model.js';
import { TRANSFORMS, transformById } from '../transforms/index.js';
import { syncMapFits } from '../transforms/sync-map/index.js';
import { UserError } from './errors.js';
import { LeftOutTests, UnanalysedFiles, unanalysedReason } from './plan/unanalysed.js';

export const STRATEGIES = ['auto', ...TRANSFORMS.map((t) => t.id)] as const;

export interface FixOptions {
  cwd?: string;
  /** `auto` (default) or a transform id to force. */
  strategy?: string;
  style?: 'inline' | 'wrapper';
  includeReview?: boolean;
  maxFileSize?: number;
  allPlatforms?: boolean;
  /**
   * `false`: leave `_test.go` files out (`--tests=false`). A finding whose map a left-out test
   * file of the package names is declined: that file's accesses are unknown.
   */
  tests?: boolean;
  /** Also report (and fix) callbacks called under the map's lock with no re-entrance shown (`--hazards`). */
  hazards?: boolean;
  /** Also report (and fix) unlocked accesses of a test's own goroutine to a guarded map (`--strict-tests`). */
  strictTests?: boolean;
  /** Files (absolute paths) left out of the analysis: the configuration's `exclude` globs. */
  exclude?: (abs: string) => boolean;
  /** Findings to plan (reported and fixed); the others are dropped: rules turned off, a baseline. */
  keepFinding?: (f: JsonFinding) => boolean;
  /**
   * With `--confidence high`: keepFinding without the confidence filter. A low finding it keeps
   * on the line of a kept high finding is fixed with it, so one statement is not left half
   * fixed (docs/confidence.md, "Low findings beside a high one").
   */
  keepBesideHigh?: (f: JsonFinding) => boolean;
  /** Hears how far each phase is: packages analysed and planned, then files rewritten. */
  onProgress?: (phase: FixPhase, done: number, total: number) => void;
  /**
   * Texts to plan on instead of what is on disk, by absolute path (review's accepted fixes). A path
   * not on disk joins the package of its directory (a helpers file an accepted fix created).
   */
  overlay?: ReadonlyMap<string, string>;
  /** Only these package directories (absolute) are analysed and planned. */
  onlyDirs?: ReadonlySet<string>;
  /**
   * When given, only the maps named here (by `PlanWithKeys.mapKeys` value) are planned, each with
   * its own strategy and style; every other finding is left alone (neither fixed nor declined).
   */
  choices?: ReadonlyMap<string, Choice>;
  /**
   * triage --fix: only these maps are planned, by package directory (absolute) then map key. A map
   * the scan did not report is planned from the finding given here (made from the runtime's report).
   */
  confirmed?: ReadonlyMap<string, ReadonlyMap<string, (decl: MapDecl) => Finding>>;
}

/** One map's transform, chosen in review. */
export interface Choice {
  strategy: string;
  style?: 'inline' | 'wrapper';
}

/** A Plan, and each finding's map identity (stable across edits elsewhere in the file). */
export interface PlanWithKeys {
  plan: Plan;
  /** Finding id → the map's stable key (kind|file|name|owning function). */
  mapKeys: Map<string, string>;
}

export type FixPhase = 'analysing' | 'rewriting';

/** Deferred fixes are re-planned on the result, up to this many passes in all. */
export const MAX_PASSES = 3;

interface SourceFile {
  rel: string;
  abs: string;
  sha256: string;
  original: string;
  current: string;
  hasBom: boolean;
  bytes: Uint8Array;
  /** A file the plan creates (gomapfix_helpers.go): it starts empty and does not exist on disk. */
  created?: boolean;
  /** Whether `current` is gofmt-clean, once known for this very text (gofmt over a big file is costly). */
  gofmt?: { text: string; clean: boolean };
}

interface DirState {
  /** The directory (absolute), as discovery names it. */
  dir: string;
  files: SourceFile[];
  goVersion: string;
}

type PassFix = Fix & { pass: number };

/** Plans the fixes for every finding under `paths`. Reads files; writes nothing. */
export function planFixes(paths: string[], options: FixOptions = {}): Plan {
  return planFixesWithKeys(paths, options).plan;
}

/** planFixes, also saying which map each finding is about (review groups findings by it). */
export function planFixesWithKeys(paths: string[], options: FixOptions = {}): PlanWithKeys {
  const cwd = options.cwd ?? process.cwd();
  const planOne = strategyPlanner(options.strategy ?? 'auto', options.style);
  const discovered = discover(paths.length > 0 ? paths : ['.'], { cwd, maxFileSize: options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE, ...(options.tests === false ? { tests: false } : {}) });
  const found = options.exclude ? withoutExcluded(discovered, options.exclude, cwd) : discovered;
  const leftOutTests = new LeftOutTests(cwd, found.excludedTests);
  const platform = options.allPlatforms ? null : targetPlatform();
  const plan: Plan = {
    version: 1,
    root: cwd,
    findings: [],
    fixes: [],
    declined: [],
    conflicts: [],
    pending: [],
    files: [],
    errors: [...found.errors],
    skipped: [...found.skipped],
    warnings: found.warnings,
    inputs: { files: found.fileCount + found.errors.length + found.skipped.length, analysed: 0 },
  };
  const dirs: DirState[] = [];
  // Every Go file of the packages' modules, and every file found (excluded and skipped ones too),
  // can name a function (analysis/references.ts); the files fix analyses are read as it holds them.
  const refs = new NameReferences(() => {
    const held = dirs.flatMap((d) => d.files);
    const heldPaths = new Set(held.map((f) => f.abs));
    const roots = discovered.dirs.flatMap((d) => (d.module.dir === null ? [] : [d.module.dir]));
    const others = moduleGoFiles(roots, [...discovered.dirs.flatMap((d) => d.files), ...discovered.skipped.map((s) => resolve(cwd, s.file))]).filter((p) => !heldPaths.has(p));
    return [...held.map((f) => f.current), ...readTexts(others)];
  });
  // Files of a package the analysis never saw: that package gets no fix (src/plan/unanalysed.ts).
  const unanalysed = new UnanalysedFiles(cwd);
  for (const e of found.errors) unanalysed.add(e.file, e.message);
  for (const s of found.skipped) unanalysed.add(s.file, s.reason);
  for (const d of found.dirs) {
    if (options.onlyDirs && !options.onlyDirs.has(d.dir)) continue;
    const files: SourceFile[] = [];
    for (const [abs, text] of options.overlay ?? []) {
      if (dirname(abs) !== d.dir || d.files.includes(abs)) continue;
      const bytes = fileBytes(text, false);
      files.push({ rel: relative(cwd, abs) || abs, abs, sha256: sha256(bytes), original: text, current: text, hasBom: false, bytes });
    }
    for (const abs of d.files) {
      const rel = relative(cwd, abs) || abs;
      let bytes: Buffer;
      try {
        bytes = readFileSync(abs);
      } catch (err) {
        plan.errors.push({ file: rel, message: `cannot read: ${describeFsError(err)}` });
        unanalysed.add(rel, `cannot read: ${describeFsError(err)}`);
        continue;
      }
      const decoded = decodeGoSource(bytes);
      const over = options.overlay?.get(abs);
      const text = over ?? (decoded.ok ? decoded.source.text : '');
      if (over !== undefined) bytes = fileBytes(over, decoded.ok && decoded.source.hasBom);
      files.push({ rel, abs, sha256: sha256(bytes), original: text, current: text, hasBom: decoded.ok && decoded.source.hasBom, bytes });
    }
    dirs.push({ dir: d.dir, files, goVersion: d.module.goVersion });
  }

  // Pass 1 plans every finding; later passes re-plan only the maps whose fixes were deferred.
  let retry: Map<DirState, Set<string>> | null = null;
  const mapKeys = new Map<string, string>();
  let lastDeferred: { fix: PassFix; reason: string }[] = [];
  let awaiting: { fix: PassFix; key: string; reason: string }[] = [];
  for (let pass = 1; pass <= MAX_PASSES; pass++) {
    const candidates: PassFix[] = [];
    const dirOfFix = new Map<PassFix, DirState>();
    const lockAddsOf = new Map<PassFix, LockAdditions>();
    const replanned = new Set<string>();
    const passTotal = retry ? retry.size : dirs.length;
    let dirsDone = 0;
    for (const dir of dirs) {
      const only: Set<string> | null | undefined = retry ? retry.get(dir) : null;
      if (retry && !only) continue;
      options.onProgress?.('analysing', dirsDone++, passTotal);
      const parsed = parseDir(
        // A created file whose fixes were all dropped is still empty: it is not part of the package.
        dir.files.filter((f) => !(f.created && f.current === '')).map((f): FileInput => ({ rel: f.rel, bytes: encode(f) })),
        platform,
      );
      if (pass === 1) {
        plan.errors.push(...parsed.errors.filter((e) => !e.message.startsWith('cannot read')));
        plan.skipped.push(...parsed.skipped);
        for (const inputs of parsed.packages.values()) plan.inputs.analysed += inputs.length;
        for (const e of parsed.errors) unanalysed.add(e.file, e.message, dir.files.find((f) => f.rel === e.file)?.original);
      }
      for (const [name, inputs] of parsed.packages) {
        const analysed = analyzePackageWithFacts(name, inputs, { allBodies: !!options.confirmed, hazards: !!options.hazards, strictTests: !!options.strictTests });
        demoteUncalled(analysed.findings, refs);
        const { facts } = analysed;
        const keep = options.keepFinding;
        const all = options.confirmed ? confirmedFindings(analysed.findings, facts?.flow.maps, options.confirmed.get(dir.dir)) : analysed.findings;
        const kept = keep ? all.filter((f) => keep(toJson(f))) : all;
        const beside = options.keepBesideHigh;
        const line = (f: Finding) => `${f.span.file}:${f.span.line}`;
        const highLines = new Set(kept.filter((f) => f.confidence === 'high').map(line));
        // A later pass re-plans the maps deferred in pass 1, riders among them.
        const rePlanned = (f: Finding) => !!only && !!facts && only.has(stableMapKey(f, { flow: facts.flow, index: facts.index }));
        const keptSet = new Set(kept);
        const findings = beside ? all.filter((f) => keptSet.has(f) || ((highLines.has(line(f)) || rePlanned(f)) && beside(toJson(f)))) : kept;
        if (pass === 1) plan.findings.push(...findings.map(toJson));
        if (!facts || findings.length === 0) continue;
        const view: PackageView = { name, files: facts.index.files, index: facts.index, flow: facts.flow, rules: facts.ctx, goVersion: dir.goVersion, findings: options.confirmed ? [...new Set([...analysed.findings, ...findings])] : findings };
        for (const f of findings) mapKeys.set(f.id, stableMapKey(f, view));
        const unseen = unanalysed.of(dir.dir, name);
        if (unseen.length > 0) {
          // Only pass 1 can get here: a package without fixes is never re-planned.
          for (const f of findings) plan.declined.push({ findingId: f.id, transform: options.strategy ?? 'auto', reason: unanalysedReason(unseen, f.map.name) });
          continue;
        }
        const covered = new Set<string>();
        for (const finding of findings) {
          const key = stableMapKey(finding, view);
          if (only && !only.has(key)) continue;
          if (covered.has(finding.id)) continue;
          const choice = options.choices?.get(key);
          if (options.choices && !choice) continue;
          // In a later pass, the fixes deferred for this map: what a new fix or decline stands for.
          const waiting = only && !replanned.has(key) ? awaiting.filter((a) => a.key === key) : [];
          const origin = waiting.map((a) => a.fix);
          if (only) replanned.add(key);
          const naming = leftOutTests.naming(dir.dir, name, finding.map.name);
          const result: ReturnType<typeof planOne> = naming
            ? { declined: `${naming} names ${finding.map.name} but was left out (--tests=false): its accesses to ${finding.map.name} are unknown`, transform: options.strategy ?? 'auto' }
            : choice
              ? chosenPlanner(choice)(finding, view)
              : planOne(finding, view);
          if ('declined' in result) {
            if (pass === 1) plan.declined.push({ findingId: finding.id, transform: result.transform, reason: result.declined });
            for (const w of waiting) plan.conflicts.push({ findingId: w.fix.findingId, transform: w.fix.transform, reason: `deferred (${w.reason}), then declined on the rewritten text: ${result.declined}` });
            continue;
          }
          const fix = result.fixes[0];
          if (!fix) continue;
          for (const id of fix.covers) covered.add(id);
          // The findings of the first pass keep their ids: a re-planned fix resolves what the deferred one would have.
          const pf: PassFix = origin.length > 0 ? { ...fix, pass, findingId: origin[0]!.findingId, covers: [...new Set(origin.flatMap((o) => o.covers))] } : { ...fix, pass };
          if (fix.safety === 'review' && !options.includeReview) {
            plan.pending.push(pf);
            continue;
          }
          candidates.push(pf);
          dirOfFix.set(pf, dir);
          const adds = lockAdditions(pf, view);
          if (adds) lockAddsOf.set(pf, adds);
        }
      }
    }
    options.onProgress?.('analysing', passTotal, passTotal);
    // A deferred map that cannot be found again on the rewritten text is reported, never dropped.
    for (const { fix, key, reason } of awaiting) {
      if (!replanned.has(key)) plan.conflicts.push({ findingId: fix.findingId, transform: fix.transform, reason: `deferred (${reason}), then not found again on the rewritten text; run fix again on the result` });
    }
    const { accepted: merged, deferred } = mergeFixes(candidates, (a, b) => lockInterference(lockAddsOf.get(a), lockAddsOf.get(b), a));
    // One lock region over consecutive statements that several fixes lock with one mutex.
    const accepted = joinAdjacentRegions(merged, (rel) => {
      const source = dirs.flatMap((d) => d.files).find((x) => x.rel === rel);
      return source && !source.created ? source.current : undefined;
    });
    for (const fix of accepted) if (!dirOfFix.has(fix)) dirOfFix.set(fix, dirOfFix.get(merged.find((m) => m.findingId === fix.findingId)!)!);
    applyAccepted(accepted, dirOfFix, plan, options.onProgress);
    lastDeferred = deferred;
    if (deferred.length === 0) break;
    retry = new Map();
    awaiting = [];
    for (const { fix, reason } of deferred) {
      const dir = dirOfFix.get(fix)!;
      const keys = retry.get(dir) ?? new Set<string>();
      const key = mapKeys.get(fix.findingId)!;
      keys.add(key);
      awaiting.push({ fix, key, reason });
      retry.set(dir, keys);
    }
  }
  plan.conflicts.push(...lastDeferred.map(({ fix, reason }): Conflict => ({ findingId: fix.findingId, transform: fix.transform, reason: `still deferred after ${MAX_PASSES} passes: ${reason}` })));

  for (const dir of dirs) {
    for (const f of dir.files) {
      if (f.current === f.original) continue;
      plan.files.push({
        path: f.rel,
        sha256: f.sha256,
        before: f.original,
        after: f.current,
        fixes: plan.fixes.filter((x) => x.edits.some((e) => e.file === f.rel)).map((x) => x.findingId),
        ...(f.created ? { created: true } : {}),
      } satisfies PlannedFile);
    }
  }
  return { plan, mapKeys };
}

/**
 * Applies accepted fixes to the in-memory texts, one rewrite per file. When a file's result would
 * not parse, the fixes that fail on their own are dropped (or, if none does, every fix of that
 * file), and the rest are applied again: a fix is applied whole, in all its files, or not at all.
 */
function applyAccepted(accepted: PassFix[], dirOfFix: Map<PassFix, DirState>, plan: Plan, onProgress: FixOptions['onProgress']): void {
  const sourceOf = (fix: PassFix, rel: string) => dirOfFix.get(fix)!.files.find((x) => x.rel === rel) ?? createdFile(fix, rel, dirOfFix.get(fix)!, plan.root);
  let live = accepted;
  for (;;) {
    const byFile = new Map<string, { source: SourceFile; fixes: PassFix[] }>();
    const missing: PassFix[] = [];
    for (const fix of live) {
      for (const rel of touchedFiles(fix)) {
        const source = sourceOf(fix, rel);
        const creates = fix.edits.some((e) => e.file === rel && e.create);
        if (!source || (creates && !source.created)) {
          missing.push(fix);
          const why = source ? `it would create ${rel}, which exists but is not part of the package` : `it edits ${rel}, which was not scanned`;
          plan.conflicts.push({ findingId: fix.findingId, transform: fix.transform, reason: `dropped: ${why}` });
          break;
        }
        const e = byFile.get(rel) ?? { source, fixes: [] };
        e.fixes.push(fix);
        byFile.set(rel, e);
      }
    }
    if (missing.length > 0) {
      live = live.filter((f) => !missing.includes(f));
      continue;
    }
    const results = new Map<SourceFile, string>();
    const broken = new Set<PassFix>();
    let filesDone = 0;
    for (const [rel, { source, fixes }] of byFile) {
      onProgress?.('rewriting', filesDone++, byFile.size);
      const r = rewriteFile(rel, source.current, editsForFile(fixes, rel), [...new Set(fixes.flatMap((x) => x.imports[rel] ?? []))], { gofmtClean: gofmtClean(source) });
      if (r.ok) results.set(source, r.text);
      else for (const x of fixes) broken.add(x);
    }
    onProgress?.('rewriting', byFile.size, byFile.size);
    if (broken.size === 0) {
      for (const [source, text] of results) {
        // gofmt's output is gofmt-clean; an unformatted result is judged again when it is next rewritten.
        source.gofmt = gofmtClean(source) ? { text, clean: true } : undefined;
        source.current = text;
      }
      plan.fixes.push(...live);
      return;
    }
    const alone = [...broken].map((fix) => ({ fix, problem: problemAlone(fix, sourceOf) })).filter((x) => x.problem !== null);
    const drop = alone.length > 0 ? alone : [...broken].map((fix) => ({ fix, problem: 'together with the other fixes of its file the result would not parse' }));
    for (const { fix, problem } of drop) plan.conflicts.push({ findingId: fix.findingId, transform: fix.transform, reason: `dropped: ${problem}` });
    live = live.filter((f) => !drop.some((d) => d.fix === f));
  }
}

/** Why a fix applied by itself leaves a file that would not parse, or null. */
function problemAlone(fix: PassFix, sourceOf: (fix: PassFix, rel: string) => SourceFile | undefined): string | null {
  for (const rel of touchedFiles(fix)) {
    const source = sourceOf(fix, rel)!;
    const r = rewriteFile(rel, source.current, fix.edits.filter((e) => e.file === rel), fix.imports[rel] ?? [], { gofmtClean: gofmtClean(source) });
    if (!r.ok) return `${rel}: ${r.message}`;
  }
  return null;
}

/**
 * The new file a fix creates (its edits for `rel` are marked `create`), added to the directory's
 * files so later fixes and passes see it; undefined when the fix does not create `rel`.
 */
function createdFile(fix: Fix, rel: string, dir: DirState, root: string): SourceFile | undefined {
  if (!fix.edits.some((e) => e.file === rel && e.create)) return undefined;
  const file: SourceFile = { rel, abs: resolve(root, rel), sha256: '', original: '', current: '', hasBom: false, bytes: new Uint8Array(), created: true };
  dir.files.push(file);
  return file;
}

/** Whether a file's current text is gofmt-clean, asked of gofmt once per text. */
function gofmtClean(source: SourceFile): boolean {
  if (source.gofmt?.text !== source.current) source.gofmt = { text: source.current, clean: isGofmtClean(source.current) };
  return source.gofmt.clean;
}

function touchedFiles(fix: Fix): string[] {
  return [...new Set([...fix.edits.map((e) => e.file), ...Object.keys(fix.imports)])];
}

/** How each finding is planned: by `auto`'s rules (src/plan/auto.ts) or by the one forced transform. */
function strategyPlanner(strategy: string, style: 'inline' | 'wrapper' | undefined): (f: Finding, v: PackageView) => TransformResult & { transform: string } {
  if (strategy === 'auto') {
    const rules: AutoRules = {
      byId: (id) => transformById(id) ?? internalError(`the registry has no ${id} transform`),
      syncMapFits,
    };
    return (f, v) => planAuto(f, v, rules, style);
  }
  const t = transformById(strategy);
  if (!t) throw new UserError(`unknown strategy "${strategy}" (choose from ${STRATEGIES.join(', ')})`);
  const topts: TransformOptions = { style: style ?? 'inline' };
  return (f, v) => ({ ...t.plan(f, v, topts), transform: t.id });
}

const chosenPlanners = new Map<string, ReturnType<typeof strategyPlanner>>();

/** The planner of one review choice, made once per strategy and style. */
function chosenPlanner(choice: Choice): ReturnType<typeof strategyPlanner> {
  const k = `${choice.strategy}:${choice.style ?? ''}`;
  let p = chosenPlanners.get(k);
  if (!p) chosenPlanners.set(k, (p = strategyPlanner(choice.strategy, choice.style)));
  return p;
}

/** The locks a fix adds (`….mu.Lock()` in its inserted text), the functions it adds them in, and what the locked regions call. */
interface LockAdditions {
  view: PackageView;
  locks: Set<string>;
  funcs: Set<number>;
  names: Map<number, string>;
  reach: Set<number>;
}

const ADDED_LOCK = /([A-Za-z_][\w.]*)\s*\.\s*R?Lock\s*\(\s*\)/g;

function lockAdditions(fix: Fix, view: PackageView): LockAdditions | null {
  const funcs = view.index.funcs;
  const out: LockAdditions = { view, locks: new Set(), funcs: new Set(), names: new Map(), reach: new Set() };
  const innermost = (file: string, pos: number) => {
    let fn: (typeof funcs)[number] | undefined;
    for (const f of funcs) if (f.file.rel === file && f.start <= pos && pos <= f.end && (!fn || f.start >= fn.start)) fn = f;
    return fn;
  };
  // The calls the locked regions make: from each added Lock to the Unlock the fix adds after it
  // in the same function, or to the function's end for a deferred Unlock.
  const seeds: number[] = [];
  const edits = [...fix.edits].sort((x, y) => (x.file < y.file ? -1 : x.file > y.file ? 1 : x.start - y.start));
  for (const e of edits) {
    const found = [...e.text.matchAll(ADDED_LOCK)];
    if (found.length === 0) continue;
    const fn = innermost(e.file, e.start);
    if (!fn) continue;
    for (const m of found) {
      const parts = m[1]!.split('.');
      // `s.mu` → its field `mu`; `s.Lock()` on the receiver → the receiver's type; a package or local mutex → its name.
      out.locks.add(parts.length > 1 ? parts[parts.length - 1]! : parts[0] === fn.recvName && fn.recvType ? fn.recvType : parts[0]!);
    }
    out.funcs.add(fn.index);
    out.names.set(fn.index, fn.name);
    const unlock = /\bdefer\b[^\n]*Unlock\s*\(/.test(e.text)
      ? fn.end
      : (edits.find((u) => u.file === e.file && u.start >= e.end && u.start <= fn.end && /Unlock\s*\(/.test(u.text))?.start ?? fn.end);
    for (const c of view.flow.raw.calls) {
      if (c.pos < e.start || c.pos > unlock || funcs[c.caller]?.file.rel !== e.file) continue;
      if (c.caller !== fn.index && funcs[c.caller]?.parent !== fn.index) continue;
      seeds.push(...c.callees);
    }
  }
  if (out.locks.size === 0 || out.funcs.size === 0) return null;
  const stack = seeds;
  while (stack.length > 0 && out.reach.size < 5000) {
    const f = stack.pop()!;
    if (out.reach.has(f)) continue;
    out.reach.add(f);
    for (const c of view.flow.calleesOf[f] ?? []) stack.push(c);
  }
  return out;
}

/**
 * Two fixes of one package that add the same lock where one's locked function calls (directly or
 * not) the other's: applied together, the inner Lock runs with the lock held and deadlocks. The
 * later fix is deferred and planned again on the text the first one leaves, where the planner
 * sees the caller's lock (and declines, or plans around it).
 */
function lockInterference(a: LockAdditions | undefined, b: LockAdditions | undefined, aFix: Fix): string | null {
  if (!a || !b || a.view !== b.view) return null;
  const shared = [...b.locks].filter((l) => a.locks.has(l));
  if (shared.length === 0) return null;
  const inner = [...b.funcs].find((f) => a.reach.has(f)) ?? [...a.funcs].find((f) => b.reach.has(f));
  if (inner === undefined) return null;
  const name = b.names.get(inner) ?? a.names.get(inner) ?? 'a function';
  return `it locks ${shared[0]} in ${name}, which the fix for finding ${aFix.findingId} would call with that lock held`;
}

/**
 * triage --fix: the findings of the confirmed maps only; the scan's own when it reported the map,
 * else the one the runtime's report stands for.
 */
function confirmedFindings(found: Finding[], maps: ReadonlyMap<string, MapDecl> | undefined, wanted: ReadonlyMap<string, (decl: MapDecl) => Finding> | undefined): Finding[] {
  if (!wanted || !maps) return [];
  const out: Finding[] = [];
  for (const [key, make] of wanted) {
    // A local's key holds its declaration's offset, which an earlier pass's edits above it move.
    const moved = /^(local:\d+:[^:]+:)\d+$/.exec(key);
    const again = moved ? [...maps.values()].filter((d) => d.key.startsWith(moved[1]!)) : [];
    const decl = maps.get(key) ?? (again.length === 1 ? again[0] : undefined);
    const own = found.filter((f) => f.map.key === (decl?.key ?? key));
    if (own.length > 0) out.push(...own);
    else if (decl) out.push(make(decl));
  }
  return out;
}

function internalError(message: string): never {
  throw new Error(message);
}


function encode(f: SourceFile): Uint8Array {
  return f.current === f.original ? f.bytes : fileBytes(f.current, f.hasBom);
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * A map's identity that survives the edits of an earlier pass: the analysis keys locals by byte
 * offsets, which move when a fix inserts text above them.
 */
function stableMapKey(f: Finding, view: Pick<PackageView, 'flow' | 'index'>): string {
  const decl = view.flow.maps.get(f.map.key);
  const owner = decl?.ownerFunc !== undefined ? (view.index.funcs[decl.ownerFunc]?.name ?? '') : '';
  return `${f.map.kind}|${f.map.file}|${f.map.name}|${owner}`;
}

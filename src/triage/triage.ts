// `gomapfix triage`: crash logs and race reports → the maps they prove racy, placed on the
// repository's map declarations and access sites through the scan's own package facts.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { analyzePackageWithFacts, parseDir, type FileInput } from '../analysis/analyze.js';
import { EVIDENCE_LIMIT, type Evidence, type Finding, type MapDecl } from '../analysis/model.js';
import type { ResolvedSite } from '../analysis/concurrency.js';
import { DEFAULT_MAX_FILE_SIZE, discover } from '../files/discover.js';
import { fatalAccess, isStdFrame, mapOperation, parseLog, type Frame, type LogReport, type Stack } from './log.js';
import { placeFrame, repoFiles, type RepoFiles } from './place.js';
import { elementOfMap, receivedMapOnLine } from './received.js';
import { whyMissed, type MissedSide } from './why-missed.js';

/** One side of a confirmed race: a goroutine's access to the map. */
export interface RacingSite {
  /** `write`, `previous read`, `throwing goroutine (write)`, … as the report says it. */
  role: string;
  access: string;
  goroutine: number | null;
  file: string;
  line: number;
  column: number;
  /** The expression on that line, e.g. `s.sessions[id]`. */
  text: string;
  func: string;
  /** Where the goroutine was started, when the report says (first frame in the repository). */
  createdAt: { file: string; line: number; func: string } | null;
  /** The goroutine's frames as the log gives them (`func file:line`), at most STACK_LIMIT. */
  stack: string[];
  /** Where the goroutine was created, as the log gives it. */
  createdStack: string[];
  /**
   * How the line reaches the map when it does not name it: through a value received from a
   * channel, an element taken from the map, or a dependency's function the map was handed to.
   */
  via?: string;
}

/** Frames of each stack kept as evidence; a dump's deep stacks add nothing past these. */
export const STACK_LIMIT = 12;

const frameText = (f: Frame) => `${f.func} ${f.file}:${f.line}`;

export interface ConfirmedReport {
  kind: 'race' | 'fatal';
  message: string;
  /** 1-based line in the log. */
  logLine: number;
  sites: RacingSite[];
  truncated: boolean;
  /** Sides of the report that are not an access to this map, and why (`input.go:40 has no map access…`). */
  unplacedSides: string[];
}

/** A map a report proves racy: the new finding kind `confirmed`. */
export interface ConfirmedMap {
  id: string;
  kind: 'confirmed';
  map: { key: string; name: string; kind: string; file: string; line: number };
  /** The package directory (absolute): where `--fix` plans. */
  dir: string;
  reports: ConfirmedReport[];
  /** What the static analysis said about the same map. */
  static: { found: boolean; findings: { id: string; rule: string; line: number }[]; why: string | null };
}

/** A race on something else than a map (a struct field, a slice element, a variable). */
export interface NotMapRace {
  message: string;
  logLine: number;
  sites: { role: string; file: string; line: number; func: string }[];
  reason: string;
}

/** A report whose access frame could not be found in the repository. */
export interface UnplacedReport {
  message: string;
  logLine: number;
  frame: string | null;
  reason: string;
}

export interface TriageResult {
  version: 1;
  root: string;
  /** Reports found in the log (after de-duplication). */
  reports: number;
  confirmed: ConfirmedMap[];
  notMapRaces: NotMapRace[];
  unplaced: UnplacedReport[];
}

interface PackageState {
  dir: string;
  /** The Go package name (`fixture`, `fixture_test`). */
  name: string;
  findings: Finding[];
  facts: NonNullable<ReturnType<typeof analyzePackageWithFacts>['facts']> | null;
  files: Set<string>;
  /** Maps placed by triage that the facts hold no declaration of (a field only reached through a received value). */
  extraMaps: Map<string, MapDecl>;
}

/** Triage a log's text against the Go repository at `root`. */
export function triage(text: string, root: string): TriageResult {
  const reports = dedupe(parseLog(text));
  const result: TriageResult = { version: 1, root, reports: reports.length, confirmed: [], notMapRaces: [], unplaced: [] };
  if (reports.length === 0) return result;
  const found = discover(['.'], { cwd: root, maxFileSize: DEFAULT_MAX_FILE_SIZE });
  const allFiles = found.dirs.flatMap((d) => d.files);
  const repo: RepoFiles = repoFiles(root, allFiles, found.dirs.map((d) => d.module.path));
  const relOf = new Map(allFiles.map((f, i) => [f, repo.rels[i]!]));
  const dirOfRel = new Map<string, (typeof found.dirs)[number]>();
  for (const d of found.dirs) for (const f of d.files) dirOfRel.set(relOf.get(f)!, d);
  const packages = new Map<string, PackageState[]>();
  const packageOf = (rel: string): PackageState | null => {
    const d = dirOfRel.get(rel);
    if (!d) return null;
    let list = packages.get(d.dir);
    if (!list) {
      const inputs: FileInput[] = [];
      for (const abs of d.files) {
        try {
          inputs.push({ rel: relOf.get(abs)!, bytes: readFileSync(abs) });
        } catch {
          // An unreadable file: its frames are not placed (the report says it has no map access there).
        }
      }
      const parsed = parseDir(inputs);
      list = [...parsed.packages].map(([name, ins]) => {
        const r = analyzePackageWithFacts(name, ins, { allBodies: true });
        return { dir: d.dir, name, findings: r.findings, facts: r.facts, files: new Set(ins.map((i) => i.rel)), extraMaps: new Map<string, MapDecl>() };
      });
      packages.set(d.dir, list);
    }
    return list.find((p) => p.files.has(rel)) ?? null;
  };

  const byMap = new Map<string, ConfirmedMap>();
  const placedReports: { report: LogReport; onMap: PlacedSite[]; lost: string[] }[] = [];
  const aliases = new Map<string, string>();
  for (const report of reports) {
    const sides = report.kind === 'race' ? report.stacks : report.stacks.slice(0, 1);
    const placed = sides.map((s) => placeStack(s, report, repo, packageOf));
    const onMap = placed.filter((p): p is PlacedSite => 'site' in p);
    if (onMap.length === 0) {
      const unplaced = placed.find((p): p is Unplaced => 'unplaced' in p);
      const notMap = placed.filter((p): p is NotMap => 'notMap' in p);
      if (notMap.length > 0 && (!unplaced || notMap.length === placed.length)) {
        result.notMapRaces.push({
          message: report.message,
          logLine: report.line,
          sites: notMap.map((n) => ({ role: n.role, file: n.rel, line: n.frame.line, func: n.frame.func })),
          reason: notMap[0]!.notMap,
        });
      } else {
        result.unplaced.push({ message: report.message, logLine: report.line, frame: unplaced?.frame ? `${unplaced.frame.file}:${unplaced.frame.line}` : null, reason: unplaced?.unplaced ?? 'the report has no stack' });
      }
      continue;
    }
    // A fatal error shows one side; the other goroutines of the dump that touch the same map are the other.
    const first = onMap[0]!;
    if (report.kind === 'fatal') {
      for (const other of report.stacks.slice(1)) {
        const p = placeStack(other, report, repo, packageOf, first.site.map);
        if ('site' in p && p.site.map === first.site.map && p.pkg === first.pkg) onMap.push(p);
      }
    }
    // A side on an element the map holds (a field of a value taken from it) counts for the map.
    const elements = new Set<NotMap>();
    if (report.kind === 'race' && onMap.length === 1) {
      for (const p of placed) {
        if (!('notMap' in p) || p.pkg !== first.pkg) continue;
        const el = elementSide(p, first, repo);
        if (el) {
          onMap.push(el);
          elements.add(p);
        }
      }
    }
    // The detector saw one memory location: two sides on two maps of one package are one map under
    // two names (a local built and then published into a field, a callback's parameter). The
    // longer-lived one (a field, a package variable) names it; the other side says which name it used.
    const keyOf = (p: PlacedSite) => p.mapKey ?? p.site.map;
    if (report.kind === 'race' && onMap.length === 2 && onMap[0]!.pkg === onMap[1]!.pkg && keyOf(onMap[0]!) !== keyOf(onMap[1]!)) {
      const maps = onMap[0]!.pkg.facts!.flow.maps;
      const shortLived = (p: PlacedSite) => ['local', 'param'].includes(maps.get(keyOf(p))?.kind ?? 'local');
      // `dst = src` (a store escape of src on a line that writes dst): src is the map, dst its other name.
      const sites = onMap[0]!.pkg.facts!.flow.sites;
      const files = onMap[0]!.pkg.facts!.index.files;
      const lineText = (file: string, line: number) => files.find((f) => f.rel === file)?.text.split('\n')[line - 1] ?? '';
      const storesInto = (src: string, dst: string) => {
        const field = (maps.get(dst)?.name ?? '').split('.').pop() ?? '';
        const assigns = field ? new RegExp(`\\b${field.replace(/[^\w]/g, '')}\\s*(?::?=|:)`) : null;
        return sites.some(
          (a) =>
            a.map === src &&
            a.kind === 'escape' &&
            (sites.some((b) => b.map === dst && b.kind === 'write' && b.span.file === a.span.file && b.span.line === a.span.line) || (assigns !== null && assigns.test(lineText(a.span.file, a.span.line)))),
        );
      };
      const [a, b] = [onMap[0]!, onMap[1]!];
      const [named, alias] =
        shortLived(a) !== shortLived(b)
          ? shortLived(a)
            ? [b, a]
            : [a, b]
          : b.site.kind === 'escape' && a.site.kind !== 'escape'
            ? [b, a]
            : a.site.kind === 'escape' && b.site.kind !== 'escape'
              ? [a, b]
              : storesInto(keyOf(b), keyOf(a))
                ? [b, a]
                : [a, b];
      if (!alias.mapKey) alias.racing.role += ` (as ${maps.get(alias.site.map)?.name ?? alias.site.text})`;
      alias.mapKey = keyOf(named);
    }
    placedReports.push({ report, onMap, lost: placed.filter((p): p is Unplaced | NotMap => !('site' in p) && !elements.has(p as NotMap)).map((p) => ('unplaced' in p ? p.unplaced : p.notMap)) });
    for (const p of onMap) if (p.mapKey) aliases.set(`${p.pkg.dir}\n${p.site.map}`, p.mapKey);
  }
  // A name a race report showed to be another name of a map stands for that map in every report
  // of the log (a fatal dump names only the parameter its goroutine saw).
  const sidesOf = new Map<ConfirmedMap, { decl: MapDecl; pkg: PackageState; sides: MissedSide[] }>();
  for (const { report, onMap, lost } of placedReports) {
    for (const p of onMap) {
      const alias = p.mapKey ? undefined : aliases.get(`${p.pkg.dir}\n${p.site.map}`);
      if (alias) {
        p.mapKey = alias;
        p.racing.role += ` (as ${p.pkg.facts!.flow.maps.get(p.site.map)?.name ?? p.site.text})`;
      }
      const decl = p.pkg.facts!.flow.maps.get(p.mapKey ?? p.site.map) ?? p.pkg.extraMaps.get(p.mapKey ?? p.site.map)!;
      const key = `${p.pkg.dir}\n${decl.key}`;
      let entry = byMap.get(key);
      if (!entry) {
        const findings = p.pkg.findings.filter((f) => f.map.key === decl.key);
        entry = {
          id: createHash('sha256').update(`confirmed|${decl.span.file}|${decl.name}|${decl.kind}`).digest('hex').slice(0, 16),
          kind: 'confirmed',
          map: { key: decl.key, name: decl.name, kind: decl.kind, file: decl.span.file, line: decl.span.line },
          dir: p.pkg.dir,
          reports: [],
          static: { found: findings.length > 0, findings: findings.map((f) => ({ id: f.id, rule: f.rule, line: f.span.line })), why: null },
        };
        byMap.set(key, entry);
        sidesOf.set(entry, { decl, pkg: p.pkg, sides: [] });
      }
      const c = p.racing.createdAt;
      sidesOf.get(entry)!.sides.push({
        file: p.racing.file,
        line: p.racing.line,
        goroutine: p.racing.goroutine,
        site: p.site.func >= 0 && p.reach !== 'received' ? p.site : null,
        reach: p.reach ?? null,
        access: p.racing.access,
        helper: p.helper ?? null,
        createdAt: c ? { ...c, pkg: packageOf(c.file)?.name ?? null } : null,
      });
      let r = entry.reports.find((x) => x.logLine === report.line);
      if (!r) entry.reports.push((r = { kind: report.kind, message: report.message, logLine: report.line, sites: [], truncated: report.truncated, unplacedSides: lost }));
      r.sites.push(p.racing);
    }
  }
  for (const [entry, { decl, pkg, sides }] of sidesOf) if (!entry.static.found) entry.static.why = whyMissed(decl, pkg.facts!.flow, pkg.name, sides);
  result.confirmed = [...byMap.values()].sort((a, b) => (a.map.file < b.map.file ? -1 : a.map.file > b.map.file ? 1 : a.map.line - b.map.line));
  return result;
}

/** One side as the report shows it: the goroutine, its stacks, and what it did at `rel:frame.line`. */
function racingSite(stack: Stack, frame: Frame, rel: string, repo: RepoFiles, fields: { role: string; access: string; text: string; column: number; via?: string }): RacingSite {
  const created = stack.createdAt.find((f) => !isStdFrame(f) && placeFrame(f, repo).ok);
  const createdRel = created ? placeFrame(created, repo) : null;
  return {
    ...fields,
    goroutine: stack.goroutine,
    file: rel,
    line: frame.line,
    func: frame.func,
    createdAt: created && createdRel?.ok ? { file: createdRel.rel, line: created.line, func: created.func } : null,
    stack: stack.frames.slice(0, STACK_LIMIT).map(frameText),
    createdStack: stack.createdAt.slice(0, STACK_LIMIT).map(frameText),
  };
}

/**
 * A side with no map access whose line touches an element of the other side's map (`j.done` of a
 * `j` taken from q.jobs, `c.spend()` on a `c` ranged out of m.credits): the map is what shares that
 * memory between the goroutines, so the side is counted for it, saying how.
 */
function elementSide(side: NotMap, onMap: PlacedSite, repo: RepoFiles): PlacedSite | null {
  const flow = onMap.pkg.facts!.flow;
  const start = side.stack.frames.indexOf(side.frame);
  const frames: { rel: string; line: number }[] = [];
  for (const f of side.stack.frames.slice(start)) {
    if (mapOperation(f.func) || isStdFrame(f)) continue;
    const where = placeFrame(f, repo);
    if (!where.ok || !onMap.pkg.files.has(where.rel)) break;
    frames.push({ rel: where.rel, line: f.line });
  }
  const key = onMap.mapKey ?? onMap.site.map;
  const el = elementOfMap(flow, frames, key);
  if (!el) return null;
  const text = flow.index.files.find((f) => f.rel === side.rel)?.text.split('\n')[side.frame.line - 1]?.trim() ?? '';
  const from = `${el.from.span.file}:${el.from.span.line}`;
  const via = el.frame > 0 ? `, passed on at ${frames[el.frame]!.rel}:${frames[el.frame]!.line}` : '';
  return {
    pkg: onMap.pkg,
    reach: 'element',
    site: el.from,
    ...(onMap.mapKey ? { mapKey: onMap.mapKey } : {}),
    racing: racingSite(side.stack, side.frame, side.rel, repo, {
      role: side.role,
      access: 'element (plain memory access)',
      text,
      column: 1,
      via: `${el.variable} is a value taken from ${flow.maps.get(key)?.name ?? el.from.text} (${el.from.kind} at ${from})${via}`,
    }),
  };
}

interface PlacedSite {
  pkg: PackageState;
  site: ResolvedSite;
  /** The map the site is counted for, when the report shows it is another name of that map. */
  mapKey?: string;
  /** How the line reaches the map when it does not name it (see RacingSite.via). */
  reach?: 'received' | 'element' | 'dependency';
  /** For `dependency`: the other module's function the access is in. */
  helper?: string;
  racing: RacingSite;
}
interface NotMap {
  notMap: string;
  role: string;
  rel: string;
  frame: Frame;
  stack: Stack;
  pkg: PackageState | null;
}

/** A site standing for a map no access of which the analysis saw (a field reached only through a received value). */
function declSite(decl: MapDecl, text: string): ResolvedSite {
  return { map: decl.key, kind: 'read', span: decl.span, func: -1, locks: [], text, raw: null as never, contexts: [], local: null, owner: -1, viaReturn: false };
}
interface Unplaced {
  unplaced: string;
  frame: Frame | null;
}

const ACCESS_KINDS: Record<string, string[]> = {
  write: ['write'],
  read: ['read', 'range'],
  delete: ['delete'],
  range: ['range'],
  clear: ['clear'],
  clone: ['escape', 'read'],
  map: ['write', 'delete', 'clear', 'read', 'range'],
};

/**
 * The first frame of a stack in the repository, and the map access on its line. `sameMap`: a
 * goroutine of a fatal dump other than the throwing one, which counts only when it is on that map.
 */
function placeStack(stack: Stack, report: LogReport, repo: RepoFiles, packageOf: (rel: string) => PackageState | null, sameMap?: string): PlacedSite | NotMap | Unplaced {
  const other = sameMap !== undefined;
  let op: string | null = null;
  let firstUnplaced: { frame: Frame; reason: string } | null = null;
  // The last frame outside the repository before its first frame: the function that code called
  // (a dependency's helper, `fmt.Println`), where the access may be.
  let foreign: { frame: Frame; dependency: boolean } | null = null;
  for (const frame of stack.frames) {
    const mapOp = mapOperation(frame.func);
    if (mapOp) {
      if (!op || op === 'map') op = mapOp;
      continue;
    }
    if (isStdFrame(frame)) {
      if (!/^(?:runtime|internal|sync|testing)[./]/.test(frame.func)) foreign = { frame, dependency: false };
      continue;
    }
    const where = placeFrame(frame, repo);
    if (!where.ok) {
      // A frame of a dependency: the access is further down, or the report is about code not here.
      firstUnplaced ??= { frame, reason: where.reason };
      foreign = { frame, dependency: true };
      continue;
    }
    const pkg = packageOf(where.rel);
    const role = report.kind === 'fatal' ? (other ? 'other goroutine' : `throwing goroutine`) : stack.role;
    // Go 1.24+ inlines the map operation into the caller: only `maps.fatal` is left, and the message says what.
    if (report.kind === 'fatal' && !other && (!op || op === 'map')) op = fatalAccess(report.message);
    const maps = pkg?.facts?.flow.maps;
    // On one line, a parameter's access is also the caller's map's: the map itself comes first.
    const sites = (pkg?.facts ? pkg.facts.flow.sites.filter((s) => s.span.file === where.rel && s.span.line <= frame.line && frame.line <= s.span.endLine && (!sameMap || s.map === sameMap)) : []).sort(
      (a, b) => Number(maps?.get(a.map)?.kind === 'param') - Number(maps?.get(b.map)?.kind === 'param'),
    );
    const kinds = op ? ACCESS_KINDS[op]! : /read/.test(stack.role) ? ['read', 'range', 'write'] : ['write', 'delete', 'clear', 'read', 'range'];
    // Without a map frame, the race detector saw a plain memory access: a map's element (`m[k]++`
    // reads and writes the value slot in place), or something else on a line with no map access.
    const site =
      kinds.map((k) => sites.find((s) => s.kind === k)).find((s) => s !== undefined) ??
      (op && op !== 'map'
        ? sites.find((s) => s.kind !== 'escape')
        : // A plain write on a line that stores a field or package map elsewhere (`v.users = p.online`):
          // the race is on the variable that now holds that map.
          !op && !/read/.test(stack.role)
          ? sites.find((s) => s.kind === 'escape' && s.escape === 'store' && !['local', 'param'].includes(maps?.get(s.map)?.kind ?? 'local'))
          : undefined);
    const racing = (fields: { role?: string; access: string; text: string; column: number; via?: string }) => racingSite(stack, frame, where.rel, repo, { role, ...fields });
    // The access is in a function outside the repository that this line hands the map to
    // (`maphelper.Inc(h.byPath, k)`, `fmt.Println(m)`): the map is the one handed over.
    if (!site && foreign && pkg?.facts) {
      const handed = handedMap(pkg, where.rel, frame.line, sites, foreign.frame);
      if (handed) {
        const what = op && op !== 'map' ? op : report.kind === 'fatal' ? fatalAccess(report.message) : 'plain memory access (an element or the map header)';
        return {
          pkg,
          ...(foreign.dependency ? { reach: 'dependency' as const, helper: foreign.frame.func } : {}),
          site: handed,
          racing: racing({
            access: what,
            text: handed.text,
            column: handed.span.line === frame.line ? handed.span.column : 1,
            via: `the ${what} is in ${foreign.frame.func} (${foreign.frame.file}:${foreign.frame.line}${foreign.dependency ? ', outside this repository' : ', the standard library'}), which ${frame.func} at this line hands ${handed.text} to`,
          }),
        };
      }
    }
    // `m := <-ch; m[k] = v`, `for b := range ch { b.counts[k]++ }`: the map the channel carries.
    let receivedWhy: string | null = null;
    if (!site && pkg?.facts) {
      const received = receivedMapOnLine(pkg.facts.flow, where.rel, frame.line);
      if (received && 'why' in received) receivedWhy = received.why;
      else if (received && (!sameMap || received.key === sameMap)) {
        if (!pkg.facts.flow.maps.has(received.key)) pkg.extraMaps.set(received.key, received.decl);
        const access = op && op !== 'map' ? op : report.kind === 'fatal' ? fatalAccess(report.message) : 'plain memory access (an element or the map header)';
        return { pkg, reach: 'received', site: received.site ?? declSite(received.decl, received.text), racing: racing({ access, text: received.text, column: 1, via: received.via }) };
      }
    }
    // `range q.Limits()`: a map operation on a map a function of the package returns.
    if (!site && op && op !== 'map' && pkg?.facts && !other) {
      const returned = returnedMapOnLine(pkg, where.rel, frame.line);
      if (returned) return { pkg, site: returned.site, racing: racing({ access: `${op} (of what ${returned.func}() returns)`, text: returned.text, column: 1 }) };
    }
    if (!site || !pkg) {
      if (other) return { unplaced: 'not on this map', frame };
      if (firstUnplaced) return { unplaced: firstUnplaced.reason, frame: firstUnplaced.frame };
      if (receivedWhy) return { unplaced: receivedWhy, frame };
      if (op) return { unplaced: `${where.rel}:${frame.line} has no map access the analysis knows of${pkg ? '' : ' (its package was not analysed)'}`, frame };
      return { notMap: `${where.rel}:${frame.line} accesses no map: the race is on another variable (a struct field, a slice element)`, role, rel: where.rel, frame, stack, pkg };
    }
    // `dst = src` with no map frame: the race is on dst's variable, and the map it holds is src's
    // (a field or package map stored elsewhere), which names it.
    let mapKey: string | undefined;
    if (!op && site.kind === 'write' && !site.text.includes('[')) {
      const src = sites.find((s) => s.kind === 'escape' && s.map !== site.map && !['local', 'param'].includes(maps?.get(s.map)?.kind ?? 'local'));
      if (src) mapKey = src.map;
    }
    return {
      pkg,
      site,
      ...(mapKey ? { mapKey } : {}),
      racing: racing({
        role: mapKey ? `${role} (as ${maps?.get(site.map)?.name ?? site.text})` : role,
        access: op && op !== 'map' ? op : report.kind === 'fatal' ? site.kind : plainAccess(site),
        text: site.text,
        column: site.span.line === frame.line ? site.span.column : 1,
      }),
    };
  }
  if (firstUnplaced) return { unplaced: firstUnplaced.reason, frame: firstUnplaced.frame };
  return { unplaced: stack.frames.length === 0 ? `goroutine ${stack.goroutine ?? '?'} has no frames (truncated dump?)` : 'no frame of the stack is in the repository', frame: null };
}

/**
 * The one map the line passes to `callee` (a frame outside the repository): `maphelper.Inc(h.byPath, k)`
 * hands h.byPath to example.com/maphelper.Inc. Null when the line does not call it or passes several maps.
 */
function handedMap(pkg: PackageState, rel: string, line: number, sites: ResolvedSite[], callee: Frame): ResolvedSite | null {
  const name = callee.func.replace(/\[\.\.\.\]/g, '').replace(/(?:\.(?:func|gowrap)\d+)+(?:\.\d+)*$/, '').split('.').pop()?.replace(/[()*]/g, '') ?? '';
  const text = pkg.facts!.flow.index.files.find((f) => f.rel === rel)?.text.split('\n')[line - 1] ?? '';
  if (!name || !new RegExp(`\\b${name.replace(/[^\w]/g, '')}\\s*(?:\\[[^\\]]*\\])?\\(`).test(text)) return null;
  const handed = sites.filter((s) => s.kind === 'escape' && (s.escape === 'call' || s.escape === 'callback'));
  return new Set(handed.map((s) => s.map)).size === 1 ? handed[0]! : null;
}

/**
 * The map a call on this line returns, when the line calls exactly one function of the package
 * that returns a map it knows (`return m` of an alias of `q.limits`): the site of that return.
 */
function returnedMapOnLine(pkg: PackageState, rel: string, line: number): { site: ResolvedSite; func: string; text: string } | null {
  const flow = pkg.facts!.flow;
  const text = flow.index.files.find((f) => f.rel === rel)?.text.split('\n')[line - 1] ?? '';
  const called = new Set([...text.matchAll(/([A-Za-z_]\w*)\s*\(/g)].map((m) => m[1]!));
  const found: { site: ResolvedSite; func: string }[] = [];
  for (const fn of flow.index.funcs) {
    if (!called.has(fn.name)) continue;
    const ret = flow.sites.find((s) => s.func === fn.index && s.kind === 'escape' && s.escape === 'return' && !['local', 'param'].includes(flow.maps.get(s.map)?.kind ?? 'local'));
    if (ret) found.push({ site: ret, func: fn.recvType ? `${fn.recvType}.${fn.name}` : fn.name });
  }
  if (found.length !== 1 || new Set(found.map((f) => f.site.map)).size !== 1) return null;
  const m = new RegExp(`[\\w.]*\\b${found[0]!.func.split('.').pop()}\\s*\\([^)]*\\)`).exec(text);
  return { ...found[0]!, text: m ? m[0] : text.trim() };
}

/** A race detector access with no runtime map frame: the map variable itself, or an element's memory. */
function plainAccess(site: ResolvedSite): string {
  if (site.kind === 'escape') return `${site.text} stored in another variable`;
  if (site.kind === 'write' && !site.text.includes('[')) return 'write of the map variable';
  return `${site.kind} (plain memory access: an element, the map's header or its variable)`;
}

/** Reports whose racing locations are the same pair are one report (the detector repeats itself). */
function dedupe(reports: LogReport[]): LogReport[] {
  const seen = new Set<string>();
  const out: LogReport[] = [];
  for (const r of reports) {
    const locs = r.stacks.slice(0, r.kind === 'race' ? 2 : 1).map((s) => {
      const f = s.frames.find((x) => !mapOperation(x.func) && !isStdFrame(x));
      return f ? `${f.file}:${f.line}` : '?';
    });
    const key = `${r.kind}|${r.message}|${locs.sort().join('|')}`;
    if (locs.every((l) => l !== '?') && seen.has(key)) continue;
    seen.add(key);
    out.push(r);
  }
  return out;
}

/** The findings `--fix` plans for a confirmed map: the scan's own, or one made from the report. */
export function confirmedFinding(c: ConfirmedMap, decl: { key: string; span: Finding['span'] }): Finding {
  const all: Evidence[] = [
    ...c.reports.flatMap((r) =>
      r.sites.flatMap((s): Evidence[] => [
        { kind: 'access', message: `${s.role}: ${s.access} of ${c.map.name} by goroutine ${s.goroutine ?? '?'} (${r.kind === 'race' ? 'race detector' : r.message})`, file: s.file, line: s.line, column: s.column },
        ...(s.createdAt ? [{ kind: 'context' as const, message: `goroutine ${s.goroutine ?? '?'} created in ${s.createdAt.func}`, file: s.createdAt.file, line: s.createdAt.line, column: 1 }] : []),
      ]),
    ),
  ];
  const accesses = all.filter((e) => e.kind === 'access');
  const contexts = all.filter((e, i) => e.kind === 'context' && all.findIndex((x) => x.kind === 'context' && x.file === e.file && x.line === e.line) === i);
  const evidence: Evidence[] = [
    { kind: 'declaration', message: `${c.map.name} declared here`, file: decl.span.file, line: decl.span.line, column: decl.span.column },
    ...accesses.slice(0, EVIDENCE_LIMIT.access),
    ...contexts.slice(0, EVIDENCE_LIMIT.context),
  ];
  return {
    id: c.id,
    rule: 'concurrent-map-write',
    message: `${c.map.name} is accessed concurrently: confirmed by ${c.reports.length === 1 ? 'a runtime report' : `${c.reports.length} runtime reports`}`,
    span: decl.span,
    // The declaration as planned now: a later pass finds a local map again where an earlier pass's edits moved it.
    map: { key: decl.key, name: c.map.name, kind: c.map.kind as Finding['map']['kind'], file: decl.span.file, line: decl.span.line },
    evidence,
    omittedEvidence: { access: Math.max(0, accesses.length - EVIDENCE_LIMIT.access), context: Math.max(0, contexts.length - EVIDENCE_LIMIT.context) },
    // The runtime saw the race: nothing about it is assumed.
    confidence: 'high',
  };
}

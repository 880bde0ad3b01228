// The `auto` strategy: one transform per finding, by the rules in docs/transforms/auto.md.
// For each finding it lists the candidates in order of preference, asks each in turn, and takes
// the first fix that is safe (else the first that needs review). The fix says which and why.
import type { Finding } from '../analysis/model.js';
import type { Fix } from './model.js';
import { sharedMapOf, type PackageView, type Transform, type TransformOptions, type TransformResult } from './transform.js';
import { joinWithoutRepeats } from './why.js';
import { isWrite } from '../analysis/conflicts.js';

export interface Candidate {
  transform: Transform;
  options: TransformOptions;
  /** Why this transform suits the finding, when the transform's own reason does not say it. */
  why: string;
  /** What else was weighed (e.g. why not sync.Map), said after the transform's reason. */
  aside?: string;
  /** Tried only when every candidate before it declined (not when one needs review). */
  fallback?: true;
}

export interface AutoRules {
  byId(id: string): Transform;
  /** Whether sync.Map suits this map (write-once/read-many or disjoint keys, every site expressible). */
  syncMapFits(finding: Finding, pkg: PackageView): { fits: boolean; why: string };
}

const label = (c: Candidate) => (c.transform.id === 'mutex-wrap' ? `mutex-wrap (${c.options.style ?? 'inline'})` : c.transform.id);

/** The transforms worth trying for a finding, most suitable first. */
export function candidatesFor(finding: Finding, pkg: PackageView, rules: AutoRules, style?: 'inline' | 'wrapper'): Candidate[] {
  const mutex = (s: 'inline' | 'wrapper', why: string, aside?: string): Candidate => ({ transform: rules.byId('mutex-wrap'), options: { style: style ?? s }, why, aside });
  // Each transform's reason already says what it changes and why that is safe: a candidate's
  // `why` adds only what made auto pick it, so the fix's explanation never says a thing twice.
  const swap = (): Candidate => ({ transform: rules.byId('atomic-swap'), options: {}, why: `${finding.map.name} is only ever replaced whole and read, so readers can load the current map from an atomic pointer without a lock` });
  switch (finding.rule) {
    case 'unguarded-map-access': {
      // A range over a variable that took the map under the lock (`ms := s.m; s.mu.Unlock();
      // for … range ms`): mutex-wrap cannot lock the loop there, a copy taken at the assignment can.
      // Only for a range, and only when inline declines: a lock inline adds for review (another
      // lock held there) is the same lock a copy would take.
      const range = sharedMapOf(finding, pkg)?.sites.some((s) => s.kind === 'range' && s.span.file === finding.span.file && s.span.start === finding.span.start);
      const out = range ? [mutex('inline', ''), { transform: rules.byId('snapshot-copy'), options: {}, why: '', fallback: true as const }] : [mutex('inline', '')];
      // The lock the map has comes first; a map only ever replaced whole can also be swapped.
      if (onlyReplacedWhole(finding, pkg)) out.push({ ...swap(), fallback: true });
      return out;
    }
    case 'map-escapes-lock':
      return [{ transform: rules.byId('snapshot-copy'), options: {}, why: '' }];
    case 'map-mutated-during-range':
      return [
        { transform: rules.byId('collect-then-delete'), options: {}, why: 'the map is changed while it is ranged over' },
        mutex('inline', ''),
        // A range that holds the lock while it calls out: copy under the lock, call out after.
        { transform: rules.byId('snapshot-copy'), options: {}, why: 'the range holds the lock while it calls out' },
      ];
    case 'concurrent-map-write': {
      const out: Candidate[] = [];
      // A map only ever replaced whole and read (a configuration reload): swap it atomically,
      // so readers need no lock at all.
      if (onlyReplacedWhole(finding, pkg)) out.push(swap());
      // A map that is also changed while ranged over: collect-then-delete locks every access and
      // takes the changes out of the range in one fix.
      if (pkg.findings.some((f) => f.map.key === finding.map.key && f.rule === 'map-mutated-during-range')) {
        out.push({ transform: rules.byId('collect-then-delete'), options: {}, why: 'the map is also changed while it is ranged over' });
      }
      // A map local to one function: a mutex declared beside it and taken where the goroutines
      // started there touch it is the smallest fix; the accesses ordered after the wait stay as
      // they are. (inline declines when the map reaches another function as a parameter.)
      const local = sharedMapOf(finding, pkg)?.decl.kind === 'local' && style !== 'wrapper';
      if (local) out.push(mutex('inline', `${finding.map.name} is local to one function, so a mutex declared beside it is taken only where the goroutines touch it`));
      const fit = rules.syncMapFits(finding, pkg);
      if (fit.fits) out.push({ transform: rules.byId('sync-map'), options: {}, why: `sync.Map suits this map: ${fit.why}` });
      const notSync = fit.fits ? undefined : `Not sync.Map: ${fit.why}`;
      out.push(mutex('wrapper', '', notSync));
      if (!local) out.push(mutex('inline', '', notSync));
      return out;
    }
  }
}

/**
 * Tries the candidates in order. The first safe fix wins; failing that, the first that needs
 * review. The fix's reason starts with the choice and why, then what was passed over.
 */
export function planAuto(finding: Finding, pkg: PackageView, rules: AutoRules, style?: 'inline' | 'wrapper'): TransformResult & { transform: string } {
  const tried: string[] = [];
  let review: { fix: Fix; c: Candidate; passed: string[] } | null = null;
  for (const c of candidatesFor(finding, pkg, rules, style)) {
    if (c.fallback && review) continue;
    const r = c.transform.plan(finding, pkg, c.options);
    if ('declined' in r) {
      tried.push(`${label(c)} declines: ${r.declined}`);
      continue;
    }
    const fix = r.fixes[0];
    if (!fix) continue;
    if (fix.safety === 'safe') return { fixes: [explain(fix, c, tried)], transform: c.transform.id };
    if (!review) review = { fix, c, passed: [...tried] };
    tried.push(`${label(c)} needs review`);
  }
  if (review) return { fixes: [explain(review.fix, review.c, review.passed)], transform: review.c.transform.id };
  return { declined: tried.join('; ') || 'no transform applies to this finding', transform: 'auto' };
}

/**
 * The fix's reason: the choice (and what made it), the transform's own reason, what else was
 * weighed, and what was passed over, with no clause said twice. The diff header shows its start.
 */
function explain(fix: Fix, c: Candidate, passed: string[]): Fix {
  const chose = c.why ? [`auto chose ${label(c)}: ${c.why}.`, fix.reason] : [`auto chose ${label(c)}: ${fix.reason}`];
  const over = passed.length > 0 ? `Passed over: ${passed.join('; ')}.` : '';
  return { ...fix, reason: joinWithoutRepeats([...chose, c.aside ?? '', over]) };
}

/**
 * Every write of the map replaces it whole (`s.m = next`, `s.m = nil`): nothing writes into a
 * map once it is in place, the shape atomic-swap turns into copy-on-write.
 */
function onlyReplacedWhole(finding: Finding, pkg: PackageView): boolean {
  const shared = sharedMapOf(finding, pkg);
  if (!shared || (shared.decl.kind !== 'field' && shared.decl.kind !== 'package-var')) return false;
  const writes = shared.sites.filter(isWrite);
  return writes.length > 0 && writes.every((s) => s.raw.reassign === true);
}

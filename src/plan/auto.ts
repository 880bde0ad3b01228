// The `auto` strategy: one transform per finding, by the rules in docs/transforms/auto.md.
// For each finding it lists the candidates in order of preference, asks each in turn, and takes
// the first fix that is safe (else the first that needs review). The fix says which and why.
import type { Finding } from '../analysis/model.js';
import type { Fix } from './model.js';
import type { PackageView, Transform, TransformOptions, TransformResult } from './transform.js';

export interface Candidate {
  transform: Transform;
  options: TransformOptions;
  /** Why this transform suits the finding: the first half of the fix's explanation. */
  why: string;
}

export interface AutoRules {
  byId(id: string): Transform;
  /** Whether sync.Map suits this map (write-once/read-many or disjoint keys, every site expressible). */
  syncMapFits(finding: Finding, pkg: PackageView): { fits: boolean; why: string };
}

const label = (c: Candidate) => (c.transform.id === 'mutex-wrap' ? `mutex-wrap (${c.options.style ?? 'inline'})` : c.transform.id);

/** The transforms worth trying for a finding, most suitable first. */
export function candidatesFor(finding: Finding, pkg: PackageView, rules: AutoRules, style?: 'inline' | 'wrapper'): Candidate[] {
  const mutex = (s: 'inline' | 'wrapper', why: string): Candidate => ({ transform: rules.byId('mutex-wrap'), options: { style: style ?? s }, why });
  const shared = pkg.rules.maps.find((m) => m.decl.key === finding.map.key);
  switch (finding.rule) {
    case 'unguarded-map-access':
      return [mutex('inline', `the map is locked at its other accesses (${shared?.guard ?? 'a mutex'}): the missing lock is added and nothing else changes`)];
    case 'map-escapes-lock':
      return [{ transform: rules.byId('snapshot-copy'), options: {}, why: 'the map leaves its lock: callers get a copy taken under the lock, so they never share the live map' }];
    case 'map-mutated-during-range':
      return [
        { transform: rules.byId('collect-then-delete'), options: {}, why: 'the map is changed while it is ranged over: the keys are collected first and the changes applied after the loop' },
        mutex('inline', 'the range races with other goroutines and collect-then-delete does not apply: the accesses are locked instead'),
      ];
    case 'concurrent-map-write': {
      const out: Candidate[] = [];
      // A map that is also changed while ranged over: collect-then-delete locks every access and
      // takes the changes out of the range in one fix.
      if (pkg.findings.some((f) => f.map.key === finding.map.key && f.rule === 'map-mutated-during-range')) {
        out.push({ transform: rules.byId('collect-then-delete'), options: {}, why: 'the map is also changed while it is ranged over: the fix locks its accesses and collects the keys before deleting' });
      }
      const fit = rules.syncMapFits(finding, pkg);
      if (fit.fits) out.push({ transform: rules.byId('sync-map'), options: {}, why: `sync.Map suits this map: ${fit.why}` });
      const notSync = fit.fits ? '' : ` (not sync.Map: ${fit.why})`;
      out.push(mutex('wrapper', `no lock guards the map: it becomes a mutex-wrapped type, so no access can forget the lock${notSync}`));
      out.push(mutex('inline', `no lock guards the map: a sync.RWMutex is added beside it and its accesses are locked${notSync}`));
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

function explain(fix: Fix, c: Candidate, passed: string[]): Fix {
  const over = passed.length > 0 ? ` Passed over: ${passed.join('; ')}.` : '';
  return { ...fix, reason: `auto chose ${label(c)}: ${c.why}.${over} ${fix.reason}` };
}

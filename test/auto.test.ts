// The `auto` strategy (docs/transforms/auto.md): which transform each kind of finding gets, that
// a safe fix wins over one needing review, and that a finding every candidate declines is
// reported with each candidate's reason. Real fixture inputs, real planning.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planFixes } from '../src/fix.js';
import { REPO } from './helpers/cli.js';
import { copyCaseInputs } from './helpers/go-toolchain.js';

/** Plans `auto` over a fixture case's inputs (tests and outputs left out). */
function autoPlan(fixture: string, hazards = false) {
  const copy = copyCaseInputs(join(REPO, 'fixtures', fixture));
  try {
    return planFixes(['.'], { cwd: copy.dir, includeReview: true, ...(hazards ? { hazards: true } : {}) });
  } finally {
    copy.cleanup();
  }
}

describe('auto', () => {
  it('adds the missing lock for inconsistent locking (unguarded-map-access → mutex-wrap inline)', () => {
    const plan = autoPlan('unguarded-map-access/mutex-logout-forgets-lock');
    expect(plan.fixes).toHaveLength(1);
    expect(plan.fixes[0]!.title).toMatch(/^mutex-wrap \(inline\): take SessionStore\.mu/);
    expect(plan.fixes[0]!.reason).toMatch(/^auto chose mutex-wrap \(inline\): inconsistent locking: the map already has a mutex/);
  });

  it('wraps an unguarded map in the locked type when that is safe (concurrent-map-write → wrapper)', () => {
    const plan = autoPlan('mutex-wrap/read-modify-write-counter');
    expect(plan.fixes).toHaveLength(1);
    expect(plan.fixes[0]!.title).toMatch(/^mutex-wrap \(wrapper\): Stats\.hits becomes lockedMap\[string, int\]/);
    expect(plan.fixes[0]!.safety).toBe('safe');
    expect(plan.fixes[0]!.reason).toMatch(/Not sync\.Map: /);
  });

  it('prefers the safe inline fix when the wrapper would split a check-then-act', () => {
    const plan = autoPlan('mutex-wrap/early-return-in-locked-region');
    expect(plan.fixes).toHaveLength(1);
    const fix = plan.fixes[0]!;
    expect(fix.title).toMatch(/^mutex-wrap \(inline\)/);
    expect(fix.safety).toBe('safe');
    expect(fix.reason).toMatch(/Passed over: mutex-wrap \(wrapper\) declines: input\.go:23 checks the entry that input\.go:29 then writes, and input\.go:24 tells the caller what the check found \(return errDuplicate\): as two locked method calls, two goroutines could both pass the check/);
  });

  it('guards a map local to one function with a mutex declared beside it, not the wrapper type or sync.Map', () => {
    for (const [fixture, map] of [
      ['mutex-wrap/local-errs-map-wait-group', 'errs'],
      ['mutex-wrap/local-results-map-go122', 'seen'],
      // Goroutines writing disjoint keys would suit sync.Map, but the local mutex changes less.
      ['sync-map/local-map-go-func-in-loop', 'byN'],
    ] as const) {
      const plan = autoPlan(fixture);
      const fix = plan.fixes.find((f) => f.title.includes(` ${map} `))!;
      expect(fix.title, fixture).toMatch(new RegExp(`^mutex-wrap \\(inline\\): guard ${map} with a new sync\\.Mutex ${map}Mu at 1 access$`));
      expect(fix.safety).toBe('safe');
      expect(fix.reason).toMatch(new RegExp(`^auto chose mutex-wrap \\(inline\\): ${map} is local to one function`));
    }
    // The reads after wg.Wait() are ordered after the goroutines: only the write in the goroutine is locked.
    const after = autoPlan('mutex-wrap/local-errs-map-wait-group').files[0]!.after;
    expect(after).toContain('\tvar errsMu sync.Mutex // guards errs\n');
    expect(after.match(/errsMu\.Lock\(\)/g)).toHaveLength(1);
    expect(after).not.toContain('lockedMap');
  });

  it('copies the map under the lock for a range that holds it while calling out (map-mutated-during-range → snapshot-copy, review)', () => {
    for (const fixture of ['snapshot-copy/publish-loop-leaves-lock', 'snapshot-copy/notify-loop-leaves-lock-go122']) {
      const plan = autoPlan(fixture, true);
      expect(plan.declined, fixture).toEqual([]);
      expect(plan.fixes.map((f) => [f.transform, f.safety])).toEqual([['snapshot-copy', 'review']]);
      expect(plan.fixes[0]!.reason).toMatch(/^auto chose snapshot-copy: the range holds the lock while it calls out/);
    }
  });

  it('hands out a copy for an escaping guarded map (map-escapes-lock → snapshot-copy)', () => {
    const plan = autoPlan('map-escapes-lock/getter-returns-guarded-map');
    expect(plan.fixes.map((f) => f.transform)).toEqual(['snapshot-copy']);
    expect(plan.fixes[0]!.reason).toMatch(/^auto chose snapshot-copy: Routes\.table is guarded by Routes\.mu: .* now hands out /);
  });

  it('copies at the assignment a range over a variable that took the map under the lock (unguarded-map-access → snapshot-copy)', () => {
    const plan = autoPlan('snapshot-copy/range-over-variable-taken-under-lock');
    expect(plan.fixes.map((f) => f.transform)).toEqual(['snapshot-copy']);
    expect(plan.fixes[0]!.reason).toMatch(/^auto chose snapshot-copy: Pool\.conns is guarded by Pool\.mu: the range at input\.go:47 ranges over conns, now cloneMap\(p\.conns\) taken while p\.mu is held \(input\.go:43\)/);
    expect(plan.fixes[0]!.reason).toMatch(/Passed over: mutex-wrap \(inline\) declines: input\.go:47 reaches the map through another variable/);
  });

  it('collects then deletes for a janitor that deletes while ranging (→ collect-then-delete)', () => {
    const plan = autoPlan('collect-then-delete/janitor-goroutine-sweeps-while-requests-insert');
    expect(plan.fixes.map((f) => f.transform)).toEqual(['collect-then-delete']);
  });

  it('picks sync.Map only where its documentation recommends it, and says why not elsewhere', () => {
    const writeOnce = autoPlan('concurrent-map-write/afterfunc-expiry-delete');
    expect(writeOnce.fixes.map((f) => f.transform)).toEqual(['sync-map']);
    expect(writeOnce.fixes[0]!.reason).toMatch(/^auto chose sync-map: sync.Map suits this map: write-once\/read-many/);
    const counter = autoPlan('mutex-wrap/read-modify-write-counter');
    expect(counter.fixes.map((f) => f.transform)).toEqual(['mutex-wrap']);
    expect(counter.fixes[0]!.reason).toMatch(/Not sync\.Map: /);
  });

  it('reports a finding every candidate declines, with each reason', () => {
    const plan = autoPlan('concurrent-map-write/named-map-type-registry');
    expect(plan.fixes).toEqual([]);
    expect(plan.declined.length).toBeGreaterThan(0);
    for (const d of plan.declined) {
      expect(d.transform).toBe('auto');
      expect(d.reason).toContain('mutex-wrap (wrapper) declines: Registry is a named map type');
      expect(d.reason).toContain('mutex-wrap (inline) declines: Registry is a named map type');
    }
    // Every finding is accounted for: fixed, declined or pending.
    expect(plan.declined.map((d) => d.findingId).sort()).toEqual(plan.findings.map((f) => f.id).sort());
  });

  it('keeps the type of an exported map: wrapper and sync.Map are passed over, inline is chosen and needs review', () => {
    for (const [fixture, name] of [['mutex-wrap/exported-field-inline', 'Stats.Hits'], ['mutex-wrap-wrapper/declines-exported-package-var', 'Counts']] as const) {
      const plan = autoPlan(fixture);
      expect(plan.fixes.map((f) => f.title)).toEqual([expect.stringMatching(/^mutex-wrap \(inline\): guard /)]);
      const fix = plan.fixes[0]!;
      expect(fix.safety).toBe('review');
      // The wrapper and sync.Map decline for the same reason; the why says it once.
      expect(fix.reason).toContain(`changing the type of ${name} would break its importers`);
      expect(fix.reason).toContain(`Review: importers outside the package access ${name} without the lock`);
      // The added mutex is unexported: the fix adds nothing to the package's API.
      expect(plan.files[0]!.after).toMatch(name === 'Counts' ? /\nvar countsMu sync\.RWMutex \/\/ guards Counts\n/ : /\n\tmu +sync\.RWMutex \/\/ guards Hits\n/);
    }
  });

  it('never rewrites the operand of &: json.Unmarshal(b, &c.limits) is declined with the reason, not copied', () => {
    for (const fixture of ['mutex-wrap/declines-address-of-map-unmarshal']) {
      const plan = autoPlan(fixture);
      expect(plan.files, fixture).toEqual([]);
      expect(plan.fixes).toEqual([]);
      expect(plan.declined.map((d) => d.reason).join('\n')).toMatch(/takes the address of c\.limits \(&c\.limits\)/);
    }
  });
});

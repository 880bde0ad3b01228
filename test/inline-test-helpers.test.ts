// mutex-wrap inline locks every access of a guarded map but its construction. Test code that
// races with nothing (a test's helper run by the test's goroutine alone) is left as it is: the
// scan reports no race there, and a lock added to it could only block. seaweedfs' fix of
// DiskLocation.ecVolumes was declined because the test helper closeEcVolumes ranges over the map
// and calls Close. The same helper in the package itself is part of the fix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFixes } from '../src/fix.js';
import { assertBuilt, cleanupTemp, tempTree } from './helpers/cli.js';
import { fixtureInput } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const GO_MOD = 'module example.com/fixture\n\ngo 1.19\n';
const BASE = fixtureInput('mutex-wrap/two-maps-one-lock-one-region');
const HELPER =
  'package fixture\n\nimport (\n\t"io"\n\t"testing"\n)\n\n' +
  'func dumpUsers(w io.Writer, r *Registry) {\n\tfor u := range r.users {\n\t\tw.Write([]byte(u))\n\t}\n}\n\n' +
  'func TestDump(t *testing.T) {\n\tr := NewRegistry()\n\tr.Add("a", "k")\n\tdumpUsers(io.Discard, r)\n}\n';

function plan(test: string, name = 'registry_test.go') {
  const dir = tempTree({ 'go.mod': GO_MOD, 'input.go': BASE, [name]: test });
  return planFixes([dir], { cwd: dir, includeReview: true, strategy: 'mutex-wrap', style: 'inline' });
}

describe('test code that races with nothing', () => {
  it("a test's helper ranging over the map and calling out: left as it is, the package's accesses are fixed", () => {
    const p = plan(HELPER);
    expect(p.declined).toEqual([]);
    expect(p.fixes).toHaveLength(2);
    expect(p.files.map((f) => f.path)).toEqual([expect.stringMatching(/input\.go$/)]);
  });

  it('the same helper in the package (dump.go): part of the fix, its range is locked too', () => {
    const helper = HELPER.slice(0, HELPER.indexOf('func TestDump')).replace('\t"testing"\n', '');
    const p = plan(helper, 'dump.go');
    expect(p.declined).toEqual([]);
    const dump = p.files.find((f) => f.path.endsWith('dump.go'));
    expect(dump?.after).toContain('\tr.mu.RLock()\n\tdefer r.mu.RUnlock()\n\tfor u := range r.users {');
  });
});

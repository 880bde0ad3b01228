// map-escapes-lock: a guarded map put in a local literal escapes only when the local carries it
// past the lock. Used only before the unlock (encoded, ranged, handed to a synchronous call) it
// does not; used after the unlock, returned or kept, it does (docs/rules.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp } from './helpers/cli.js';
import { fixtureInput, lineOf, scanRules } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const BASE = fixtureInput('negative/local-literal-used-before-unlock');

const scan = scanRules;

describe('a guarded map in a local literal', () => {
  it('used only while the lock is held (the fixture): no finding', () => {
    expect(scan(BASE)).toEqual([]);
  });

  it('whose map field is read after the unlock escapes', () => {
    const src = BASE.replace('cannot save session %q (state of the subs unknown): %v", ps.ID, err)', 'cannot save session %q (%d subs): %v", ps.ID, len(ps.Subs), err)');
    expect(src).not.toBe(BASE);
    expect(scan(src)).toContain(`map-escapes-lock@${lineOf(src, 'Subs: s.subs,')}`);
  });

  it('ranged over after the unlock escapes', () => {
    const src = BASE.replace('\t\tfor k := range m {\n\t\t\tout = append(out, k)\n\t\t}\n\t}\n\ts.mu.Unlock()', '\t\t_ = m\n\t}\n\ts.mu.Unlock()\n\tfor k := range all[0] {\n\t\tout = append(out, k)\n\t}');
    expect(src).not.toBe(BASE);
    expect(scan(src)).toContain(`map-escapes-lock@${lineOf(src, 'all := []map[string]int{s.subs}')}`);
  });

  it('stored where it outlives the call escapes, even before the unlock', () => {
    const src = BASE.replace('\tst.Update(state)\n', '\tst.Update(state)\n\tlastState = state\n') + '\nvar lastState *State\n';
    expect(scan(src)).toContain(`map-escapes-lock@${lineOf(src, 'Consumers: s.cons,')}`);
  });

  it('stored without holding the map\'s own lock escapes', () => {
    const src = BASE.replace('func (s *Session) Subjects() []string {\n\tvar out []string\n\ts.mu.Lock()', 'func (s *Session) Subjects() []string {\n\tvar out []string\n\tvar other sync.Mutex\n\tother.Lock()').replace('\t}\n\ts.mu.Unlock()\n\tsort.Strings(out)', '\t}\n\tother.Unlock()\n\tsort.Strings(out)');
    expect(src).not.toBe(BASE);
    expect(scan(src).some((f) => f.startsWith('map-escapes-lock@') || f.startsWith('unguarded-map-access@'))).toBe(true);
  });
});

// Locks behind an interface: `c := s.store.lock()` through the package's interface takes the
// interface's lock when every implementation's lock() takes a lock of its own and returns holding
// it, and unlock() releases it (docs/locks.md, "Locks behind an interface"). A write under the
// read lock, a write with no lock, or an implementation that does not lock keeps the finding.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp } from './helpers/cli.js';
import { fixtureInput, lineOf, scanRules, swapIn } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const BASE = fixtureInput('negative/lock-behind-interface');
const WRITE = 'c.users[name] = role';

const swap = (from: string, to: string) => swapIn(BASE, from, to);
const writeReported = (src: string) => expect(scanRules(src).filter((f) => f.endsWith(`@${lineOf(src, WRITE)}`))).not.toEqual([]);

describe('a lock taken through an interface of the package', () => {
  it('every access holds lock() or rlock() (the fixture): no finding', () => {
    expect(scanRules(BASE)).toEqual([]);
  });

  it('AddUser writes holding only rlock(): reported', () => {
    writeReported(swap('\tc := s.store.lock()\n\tdefer s.store.unlock()\n\tc.setUser(name, role)\n', '\tc := s.store.rlock()\n\tdefer s.store.runlock()\n\tc.setUser(name, role)\n'));
  });

  it('AddUser writes with no lock: reported', () => {
    writeReported(swap('\tc := s.store.lock()\n\tdefer s.store.unlock()\n\tc.setUser(name, role)\n', '\ts.store.load()\n\tvar c *cache = s.cacheOf()\n\tc.setUser(name, role)\n').replace(
      '// Stop ends the auditor',
      'func (s *Sys) cacheOf() *cache {\n\tc := s.store.rlock()\n\ts.store.runlock()\n\treturn c\n}\n\n// Stop ends the auditor',
    ));
  });

  it("one implementation's lock() takes no lock: the interface's lock() is no lock, reported", () => {
    writeReported(swap('func (f *fileStore) lock() *cache  { f.mu.Lock(); return f.c }', 'func (f *fileStore) lock() *cache  { return f.c }'));
  });

  it("one implementation's lock() releases before returning: reported", () => {
    writeReported(swap('func (m *memStore) lock() *cache  { m.Lock(); return m.c }', 'func (m *memStore) lock() *cache  { m.Lock(); defer m.Unlock(); return m.c }'));
  });
});

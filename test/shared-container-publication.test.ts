// A value stored into a container made for sharing between goroutines (a sync.Map, an
// atomic.Pointer or atomic.Value) is published there: writes through it afterwards race with
// whoever loads it (session 15; docs/ordering.md, "Construction"). `p.Load()` on an
// `atomic.Pointer[T]` is a *T, so reads through it name T's maps, and `atomic.Pointer[T]` holds no
// T by value: mutex-wrap may add a mutex to T.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFixes } from '../src/fix.js';
import { assertBuilt, cleanupTemp, tempTree } from './helpers/cli.js';
import { fixtureInput, lineOf, scanFiles, swapIn } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const SRC = fixtureInput('concurrent-map-write/fresh-value-published-through-sync-map');
const found = (src: string) => scanFiles({ 'input.go': src }).map((f) => `${f.map.name}@${f.line}:${f.confidence}`);

const FILL_SESSION = '\ts.byID.Store(id, sess)\n\tsess.vars["lang"] = "en"\n';
const FILL_LIMITS = '\tcurrent.Store(l)\n\tl.max["conns"] = n\n';

describe('publish, then fill', () => {
  it('a fill after sync.Map.Store and after atomic.Pointer.Store is reported (low: the loaded value is not linked to the stored one)', () => {
    expect(found(SRC)).toEqual([`Session.vars@${lineOf(SRC, 'sess.vars["lang"] = "en"')}:low`, `Limits.max@${lineOf(SRC, 'l.max["conns"] = n')}:low`]);
  });

  it('filled before the sync.Map store: construction, only the limits are reported', () => {
    const src = swapIn(SRC, FILL_SESSION, '\tsess.vars["lang"] = "en"\n\ts.byID.Store(id, sess)\n');
    expect(found(src)).toEqual([`Limits.max@${lineOf(src, 'l.max["conns"] = n')}:low`]);
  });

  it('filled before the atomic.Pointer store: construction, only the session is reported', () => {
    const src = swapIn(SRC, FILL_LIMITS, '\tl.max["conns"] = n\n\tcurrent.Store(l)\n');
    expect(found(src)).toEqual([`Session.vars@${lineOf(src, 'sess.vars["lang"] = "en"')}:low`]);
  });

  it('both filled first: no finding', () => {
    const src = swapIn(swapIn(SRC, FILL_SESSION, '\tsess.vars["lang"] = "en"\n\ts.byID.Store(id, sess)\n'), FILL_LIMITS, '\tl.max["conns"] = n\n\tcurrent.Store(l)\n');
    expect(found(src)).toEqual([]);
  });

  it('writing into the limits a reader loaded from the atomic.Pointer (the published snapshot) is reported', () => {
    const src = swapIn(SRC, '\tl := &Limits{max: map[string]int{}}\n\tcurrent.Store(l)\n\tl.max["conns"] = n\n', '\tl := current.Load()\n\tl.max["conns"] = n\n');
    expect(found(src)).toEqual([`Session.vars@${lineOf(src, 'sess.vars["lang"] = "en"')}:low`, `Limits.max@${lineOf(src, 'l.max["conns"] = n')}:low`]);
  });

  // A Store that keeps the session (`j.last = s`) hands it to the journal: published by the
  // helper-call rule, whatever the method's name (test/handed-to-helper.test.ts).
  it('a Store on a type of the package that is not a sync.Map publishes nothing by its name', () => {
    const src = swapIn(
      swapIn(SRC, '\tbyID sync.Map\n', '\tbyID sync.Map\n\tlog  journal\n'),
      FILL_SESSION,
      '\ts.log.Store(id, sess)\n\tsess.vars["lang"] = "en"\n\ts.byID.Store(id, sess)\n',
    ).concat('\n// journal notes the last id it was given.\ntype journal struct{ last string }\n\nfunc (j *journal) Store(id string, s *Session) { j.last = id }\n');
    expect(found(src)).toEqual([`Limits.max@${lineOf(src, 'l.max["conns"] = n')}:low`]);
  });
});

describe('mutex-wrap and atomic.Pointer[T]', () => {
  const plan = (src: string) =>
    planFixes(['.'], { cwd: tempTree({ 'go.mod': 'module example.com/fixture\n\ngo 1.19\n', 'input.go': src }), strategy: 'mutex-wrap', style: 'inline', includeReview: true });

  it('a type argument of atomic.Pointer is no copy of Limits: the limits get a mutex', () => {
    const p = plan(SRC);
    expect(p.fixes.map((f) => f.title)).toEqual([expect.stringContaining('Limits.max')]);
    expect(p.declined.map((d) => d.reason).join('\n')).not.toMatch(/Limits is used as a value/);
  });

  it('Limits held by value elsewhere still declines, naming where', () => {
    const p = plan(`${SRC}\n// last keeps a copy of the limits.\nvar last Limits\n`);
    expect(p.fixes.filter((f) => f.title.includes('Limits.max'))).toEqual([]);
    expect(p.declined.map((d) => d.reason).join('\n')).toMatch(/Limits is used as a value at input\.go:\d+ \(var last Limits\)|Limits is used as a value at input\.go:\d+ \(last Limits\)/);
  });
});

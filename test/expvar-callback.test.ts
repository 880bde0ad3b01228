// An expvar.Func published with expvar.Publish runs each time the variables are read (the
// /debug/vars handler, expvar.Do): once per request and concurrently, like a handler (session 16,
// docs/rules.md "What runs concurrently"; traefik's clientConnectionStates). Before, the literal
// was taken to run where it is written, in the package's callers, and a live map it hands out was
// reported low.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp } from './helpers/cli.js';
import { fixtureInput, lineOf, scanFiles, swapIn } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const SRC = fixtureInput('map-escapes-lock/expvar-func-hands-out-live-map');
const RETURN_LINE = lineOf(SRC, '\t\treturn connStates');

const report = (src: string) =>
  scanFiles({ 'input.go': src }).map((f) => ({
    at: `${f.rule}@${f.line}`,
    confidence: f.confidence,
    contexts: f.evidence.filter((e) => e.kind === 'context').map((e) => e.message),
  }));

describe('an expvar.Func published with expvar.Publish', () => {
  it('runs once per request: the live map it returns races with the writes, high (the fixture)', () => {
    expect(report(SRC)).toEqual([
      {
        at: `map-escapes-lock@${RETURN_LINE}`,
        confidence: 'high',
        contexts: ['runs concurrently: expvar.Func published with expvar.Publish (one per request)'],
      },
    ]);
  });

  it('an expvar.Func kept but never published: nothing reads it concurrently that the scan sees, low', () => {
    const src = swapIn(
      SRC,
      '\texpvar.Publish(name, expvar.Func(func() any {\n\t\treturn connStates\n\t}))',
      '\tf := expvar.Func(func() any {\n\t\treturn connStates\n\t})\n\t_ = name\n\t_ = f',
    );
    expect(report(src).map((f) => f.confidence)).toEqual(['low']);
  });

  it('returning a copy taken under the lock: no finding', () => {
    const src = swapIn(
      SRC,
      '\t\treturn connStates\n',
      '\t\tconnStatesMu.Lock()\n\t\tdefer connStatesMu.Unlock()\n\t\tout := make(map[string]int, len(connStates))\n\t\tfor k, v := range connStates {\n\t\t\tout[k] = v\n\t\t}\n\t\treturn out\n',
    );
    expect(report(src)).toEqual([]);
  });
});

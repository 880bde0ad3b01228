// mutex-wrap inline copies `len(m)` under the lock before a statement that calls out, also when
// the length is read in the right operand of || or && or again in the body of the `if` that
// tested it (nsq's Channel.flush: `if … || len(c.inFlightMessages) > 0 { logf(…, len(…)) }`).
// Only when nothing the statement runs before the read could change the map or order it after
// another goroutine's change, and evaluating the length early cannot fail where it would not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFixes } from '../src/fix.js';
import { assertBuilt, cleanupTemp, tempTree } from './helpers/cli.js';
import { fixtureInput, swapIn } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const GO_MOD = 'module example.com/fixture\n\ngo 1.19\n';
const BASE = fixtureInput('mutex-wrap/length-tested-and-logged');
const FLUSH =
  '\tif len(q.pending) > 0 || len(q.inFlight) > 0 {\n\t\tfmt.Fprintf(q.log, "flushing %d pending %d in-flight\\n", len(q.pending), len(q.inFlight))\n\t}\n';

function plan(src: string) {
  const dir = tempTree({ 'go.mod': GO_MOD, 'input.go': src });
  return planFixes([dir], { cwd: dir, includeReview: true, strategy: 'mutex-wrap', style: 'inline' });
}

function flushOf(src: string): string {
  const p = plan(src);
  expect(p.declined).toEqual([]);
  const out = p.files[0]!.after;
  return out.slice(out.indexOf('func (q *Queue) Flush() {'));
}

/** The reason the fix declines (it must decline: the statement calls out). */
function declined(src: string): string {
  const p = plan(src);
  expect(p.files).toEqual([]);
  expect(p.declined).toHaveLength(1);
  return p.declined[0]!.reason;
}

describe('a length tested and logged is copied once under the lock', () => {
  it('in the right operand of || and in the body: one copy before the if', () => {
    expect(flushOf(BASE)).toBe(
      'func (q *Queue) Flush() {\n\tq.inFlightMu.Lock()\n\tinFlightLen := len(q.inFlight)\n\tq.inFlightMu.Unlock()\n' +
        '\tif len(q.pending) > 0 || inFlightLen > 0 {\n\t\tfmt.Fprintf(q.log, "flushing %d pending %d in-flight\\n", len(q.pending), inFlightLen)\n\t}\n}\n',
    );
  });

  it('in the right operand of && as well', () => {
    const src = swapIn(BASE, FLUSH, FLUSH.replace('||', '&&'));
    expect(flushOf(src)).toContain('\tinFlightLen := len(q.inFlight)\n\tq.inFlightMu.Unlock()\n\tif len(q.pending) > 0 && inFlightLen > 0 {\n');
  });

  it('a call before the read (it could change the map): declines', () => {
    const src = swapIn(BASE, FLUSH, FLUSH.replace('len(q.pending) > 0 ||', 'q.ready() ||') + '}\n\nfunc (q *Queue) ready() bool {\n\treturn len(q.pending) > 0\n');
    expect(declined(src)).toMatch(/would hold the lock across/);
  });

  it('a channel receive before the read (it orders the read after a sender): declines', () => {
    const src = swapIn(BASE, FLUSH, FLUSH.replace('len(q.pending) > 0 ||', '<-q.pending != "" ||'));
    expect(declined(src)).toMatch(/would hold the lock across/);
  });

  it('a read in a loop of the body (read again on each turn): declines', () => {
    const body = '\tif len(q.inFlight) > 0 {\n\t\tfor i := 0; i < 2; i++ {\n\t\t\tfmt.Fprintf(q.log, "%d\\n", len(q.inFlight))\n\t\t}\n\t}\n';
    expect(declined(swapIn(BASE, FLUSH, body))).toMatch(/would hold the lock across/);
  });

  it('a map reached through another pointer than the lock is taken through: declines', () => {
    let src = swapIn(BASE, '\tinFlight   map[int]string\n', '\tinFlight   map[int]string\n\tspill      *Queue\n');
    src = swapIn(src, FLUSH, '\tif q.spill != nil && len(q.spill.inFlight) > 0 {\n\t\tfmt.Fprintf(q.log, "spilled %d\\n", len(q.spill.inFlight))\n\t}\n');
    expect(declined(src)).toMatch(/would hold the lock across/);
  });

  it('a test of the pointer for nil before the read (the lock would dereference it first): declines', () => {
    const src = swapIn(BASE, FLUSH, FLUSH.replace('len(q.pending) > 0 ||', 'q != nil &&'));
    expect(declined(src)).toMatch(/would hold the lock across/);
  });
});

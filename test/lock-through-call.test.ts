// A lock is spelled through the expression that reaches the map. Through a call
// (`n.Usage().counts`) each evaluation may be another value, so `n.Usage().RLock()` and
// `n.Usage().RUnlock()` need not meet one mutex (seaweedfs' `negative()` builds a new value per
// call: the rewrite aborted with "RUnlock of unlocked RWMutex"). Both transforms that spell the
// lock there decline; through a field path the same range is fixed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFixes } from '../src/fix.js';
import { assertBuilt, cleanupTemp, tempTree } from './helpers/cli.js';
import { fixtureInput, swapIn } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const GO_MOD = 'module example.com/fixture\n\ngo 1.22\n';
const BASE = fixtureInput('snapshot-copy/declines-lock-through-call');
const REASON = "reaches the map through n.Usage(), which may be another value each time it is evaluated (it calls a function): a lock taken through it need not be the map's";

function plan(src: string, strategy: 'mutex-wrap' | 'snapshot-copy') {
  const dir = tempTree({ 'go.mod': GO_MOD, 'input.go': src });
  return planFixes([dir], { cwd: dir, includeReview: true, strategy, ...(strategy === 'mutex-wrap' ? { style: 'inline' as const } : {}) });
}

describe('a lock spelled through a call', () => {
  it('mutex-wrap inline declines the range through n.Usage(), with the reason', () => {
    const p = plan(BASE, 'mutex-wrap');
    expect(p.fixes).toEqual([]);
    expect(p.declined.map((d) => d.reason)).toEqual([`input.go:42 ${REASON}`]);
  });

  it('through the field (n.usage.counts) both fix it, locking n.usage', () => {
    const src = swapIn(BASE, 'range n.Usage().counts', 'range n.usage.counts');
    const inline = plan(src, 'mutex-wrap');
    expect(inline.declined).toEqual([]);
    expect(inline.files[0]!.after).toContain('n.usage.RLock()');
    const copy = plan(src, 'snapshot-copy');
    expect(copy.declined).toEqual([]);
    expect(copy.files[0]!.after).toContain('\tn.usage.RLock()\n\tsnapshot := maps.Clone(n.usage.counts)\n\tn.usage.RUnlock()\n');
  });

  it('through a pointer and an index (*p, s[i]) the path is stable too', () => {
    const src = swapIn(swapIn(BASE, 'func (n *Node) Total() int {', 'func (n *Node) Total() int {\n\tps := []*Usage{n.usage}\n\ti := 0'), 'range n.Usage().counts', 'range ps[i].counts');
    const copy = plan(src, 'snapshot-copy');
    expect(copy.declined).toEqual([]);
    expect(copy.files[0]!.after).toContain('\tps[i].RLock()\n\tsnapshot := maps.Clone(ps[i].counts)\n\tps[i].RUnlock()\n');
  });
});

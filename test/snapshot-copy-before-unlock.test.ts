// snapshot-copy: a guarded map handed out after this function released its lock gets a copy taken
// right before that Unlock (issue 14 item 2); where one copy cannot stand for the hand-out, it
// declines with the reason. The proven cases are fixtures/snapshot-copy/copy-before-unlock-*.
import { afterAll, describe, expect, it } from 'vitest';
import { planFixes } from '../src/fix.js';
import { cleanupTemp, tempTree } from './helpers/cli.js';

afterAll(cleanupTemp);

const head = `package p

import "sync"

type Usage struct {
	mu     sync.Mutex
	counts map[string]int
}

var u = &Usage{counts: map[string]int{}}

func (u *Usage) Add(k string) {
	u.mu.Lock()
	u.counts[k]++
	u.mu.Unlock()
}

func Run(cb func(map[string]int)) {
	for i := 0; i < 4; i++ {
		go u.Add("x")
		go u.Flush(cb)
	}
}
`;

function plan(flush: string) {
  const dir = tempTree({ 'go.mod': 'module example.com/p\n\ngo 1.22\n', 'p.go': head + flush });
  return planFixes(['.'], { cwd: dir, strategy: 'snapshot-copy', includeReview: true });
}

describe('snapshot-copy: the copy taken before the unlock', () => {
  it('hands out a local copied right before the Unlock, through an if', () => {
    const p = plan(`
func (u *Usage) Flush(cb func(map[string]int)) {
	u.mu.Lock()
	n := len(u.counts)
	u.mu.Unlock()
	if n > 0 {
		cb(u.counts)
	}
}
`);
    expect(p.declined).toEqual([]);
    const after = p.files[0]!.after;
    expect(after).toContain('\tn := len(u.counts)\n\tsnapshot := maps.Clone(u.counts)\n\tu.mu.Unlock()\n\tif n > 0 {\n\t\tcb(snapshot)\n');
  });

  it('declines a hand-out in a loop after the unlock: one copy would be handed out several times', () => {
    const p = plan(`
func (u *Usage) Flush(cb func(map[string]int)) {
	u.mu.Lock()
	n := len(u.counts)
	u.mu.Unlock()
	for i := 0; i < n; i++ {
		cb(u.counts)
	}
}
`);
    expect(p.fixes).toEqual([]);
    expect(p.declined.map((d) => d.reason).join('\n')).toMatch(/p\.go:30 hands out u\.counts in a loop after u\.mu is released: one copy taken before the unlock would be handed out several times/);
  });

  it('declines when the function uses the map between the unlock and the hand-out', () => {
    const p = plan(`
func (u *Usage) Flush(cb func(map[string]int)) {
	u.mu.Lock()
	u.mu.Unlock()
	if len(u.counts) > 0 {
		cb(u.counts)
	}
}
`);
    expect(p.fixes).toEqual([]);
    expect(p.declined.map((d) => d.reason).join('\n')).toMatch(/p\.go:28 uses Usage\.counts between the unlock \(p\.go:27\) and where it is handed out \(p\.go:29\)/);
  });
});

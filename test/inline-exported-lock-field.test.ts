// mutex-wrap inline does not add a Lock of an exported lock field (`group.Mu`) inside a function
// other packages can call: they lock that field themselves and may hold it around the call
// (seaweedfs' protocol package holds group.Mu around group.AssignPartitions()), so the Lock would
// deadlock with callers the package does not show. An unexported lock, or an unexported function,
// is fixed as before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFixes } from '../src/fix.js';
import { assertBuilt, cleanupTemp, tempTree } from './helpers/cli.js';
import { swapIn } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const GO_MOD = 'module example.com/fixture\n\ngo 1.19\n';
const SRC = `package fixture

import "sync"

type Group struct {
	Mu      sync.RWMutex
	Members map[string]int
}

func (g *Group) Join(name string) {
	g.Mu.Lock()
	g.Members[name]++
	g.Mu.Unlock()
}

func (g *Group) Watch(names <-chan string) {
	go func() {
		for n := range names {
			g.Join(n)
		}
	}()
}

// Count reads the members without the lock.
func (g *Group) Count() int {
	return len(g.Members)
}
`;

function plan(src: string) {
  const dir = tempTree({ 'go.mod': GO_MOD, 'input.go': src });
  return planFixes([dir], { cwd: dir, includeReview: true, strategy: 'mutex-wrap', style: 'inline' });
}

describe('an exported lock field', () => {
  it('Count (exported) reads without g.Mu (exported): declined, naming the deadlock with other packages', () => {
    const p = plan(SRC);
    expect(p.fixes).toEqual([]);
    expect(p.declined.map((d) => d.reason)).toEqual([expect.stringContaining('Group.Mu is an exported field, so code in other packages can hold it when it calls Count (exported)')]);
  });

  it('the lock unexported (g.mu): fixed', () => {
    const src = SRC.replace(/\bMu\b/g, 'mu');
    const p = plan(src);
    expect(p.declined).toEqual([]);
    expect(p.files[0]!.after).toContain('g.mu.RLock()');
  });

  it('the reading function unexported (count): fixed', () => {
    const src = swapIn(SRC, 'func (g *Group) Count() int {', 'func (g *Group) count() int {');
    const p = plan(src);
    expect(p.declined).toEqual([]);
    expect(p.files[0]!.after).toContain('g.Mu.RLock()');
  });
});

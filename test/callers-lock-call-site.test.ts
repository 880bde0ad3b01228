// Callers' locks (issue 10, item 6): a function that leaves the map's lock to its callers is
// treated as guarded when every in-package call holds the lock; when one does not, the finding
// at the function's access names that call ("called here by AddFast without Reg.mu.Lock()"), so
// the reader sees where the lock is missing (session 20).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp } from './helpers/cli.js';
import { fixtureInput, lineOf, scanFiles, swapIn } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const SRC = `package reg

import "sync"

// Reg counts items; mu guards items.
type Reg struct {
	mu    sync.Mutex
	items map[string]int
}

func (r *Reg) bump(k string) {
	r.items[k]++
}

// Add bumps k under the lock.
func (r *Reg) Add(k string) {
	r.mu.Lock()
	r.bump(k)
	r.mu.Unlock()
}

// AddFast forgets the lock.
func (r *Reg) AddFast(k string) {
	r.bump(k)
}

// Get reads k under the lock.
func (r *Reg) Get(k string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.items[k]
}

// Reset clears k under the lock.
func (r *Reg) Reset(k string) {
	r.mu.Lock()
	delete(r.items, k)
	r.mu.Unlock()
}
`;
const FAST = (src: string) => lineOf(src, 'func (r *Reg) AddFast') + 1;

const callSites = (src: string) =>
  scanFiles({ 'input.go': src }).map((f) => ({
    at: `${f.rule}@${f.line}`,
    calls: f.evidence.filter((e) => e.kind === 'lock' && e.message.startsWith('called here')).map((e) => `${e.line}: ${e.message}`),
  }));

describe('the call that does not hold the lock a helper leaves to its callers', () => {
  it('is named in the finding at the helper', () => {
    expect(callSites(SRC)).toEqual([
      { at: `unguarded-map-access@${lineOf(SRC, '\tr.items[k]++')}`, calls: [`${FAST(SRC)}: called here by AddFast without Reg.mu.Lock(): r.bump(k)`] },
    ]);
  });

  it('every call holding the lock: no finding, nothing to name', () => {
    expect(callSites(swapIn(SRC, '// AddFast forgets the lock.\nfunc (r *Reg) AddFast(k string) {\n\tr.bump(k)\n}\n', ''))).toEqual([]);
  });

  it('a caller whose own callers all hold the lock is not named', () => {
    const src = swapIn(
      SRC,
      '// AddFast forgets the lock.\nfunc (r *Reg) AddFast(k string) {\n\tr.bump(k)\n}\n',
      '// AddFast forgets the lock.\nfunc (r *Reg) AddFast(k string) {\n\tr.bump(k)\n}\n\nfunc (r *Reg) bumpTwice(k string) {\n\tr.bump(k)\n\tr.bump(k)\n}\n\n// AddTwo holds the lock around bumpTwice.\nfunc (r *Reg) AddTwo(k string) {\n\tr.mu.Lock()\n\tr.bumpTwice(k)\n\tr.mu.Unlock()\n}\n',
    );
    const [f] = callSites(src);
    expect(f?.calls).toEqual([`${FAST(src)}: called here by AddFast without Reg.mu.Lock(): r.bump(k)`]);
  });

  it('a call holding only the read lock, for a helper that writes, is named (fixture write-under-read-lock-in-event-goroutine)', () => {
    const src = fixtureInput('unguarded-map-access/write-under-read-lock-in-event-goroutine');
    const [f] = callSites(src);
    expect(f?.calls).toEqual([`${lineOf(src, '\tl.setCrowded(vid)')}: called here by SetCrowded without Layout.accessLock.Lock(): l.setCrowded(vid)`]);
  });
});

// mutex-wrap inline: one locked region per critical section (issue 14 item 7). A check and the
// act it decides are never split into two regions; where they cannot share one, the fix declines.
import { afterAll, describe, expect, it } from 'vitest';
import { planFixes } from '../src/fix.js';
import { cleanupTemp, tempTree } from './helpers/cli.js';

const GO_MOD = 'module example.com/p\n\ngo 1.19\n';

afterAll(cleanupTemp);

function inline(src: string) {
  const dir = tempTree({ 'go.mod': GO_MOD, 'p.go': src });
  return planFixes(['.'], { cwd: dir, strategy: 'mutex-wrap', style: 'inline', includeReview: true });
}

const spawn = `
func Run(keys []string) {
	for _, k := range keys {
		go func(k string) { s.Claim(k) }(k)
	}
}
`;

describe('mutex-wrap inline: locked regions', () => {
  it('declines a check-then-act whose act follows a call that could block or re-enter, instead of splitting it', () => {
    const plan = inline(`package p

type Store struct {
	owners map[string]string
	names  func(string) string
}

var s = &Store{owners: map[string]string{}, names: func(k string) string { return k }}

func (st *Store) Claim(k string) {
	_, ok := st.owners[k]
	if !ok {
		name := st.names(k)
		st.owners[k] = name
	}
}
${spawn}`);
    expect(plan.fixes).toEqual([]);
    expect(plan.declined.map((d) => d.reason).join('\n')).toMatch(/p\.go:11 checks the entry that p\.go:14 then writes, and a call of the function value st\.names .*two would let two goroutines pass the check/);
  });

  it('keeps a check and its act in one region across fmt.Sprintf, with a plain sync.Mutex', () => {
    const plan = inline(`package p

import "fmt"

type Store struct {
	owners map[string]string
}

var s = &Store{owners: map[string]string{}}

func (st *Store) Claim(k string) {
	_, ok := st.owners[k]
	if !ok {
		name := fmt.Sprintf("owner-%s", k)
		st.owners[k] = name
	}
}
${spawn}`);
    expect(plan.fixes).toHaveLength(1);
    const after = plan.files[0]!.after;
    expect(after).toContain('\tmu     sync.Mutex // guards owners\n');
    // The region is the whole body: Lock and defer Unlock.
    expect(after).toContain('\tst.mu.Lock()\n\tdefer st.mu.Unlock()\n\t_, ok := st.owners[k]\n\tif !ok {\n\t\tname := fmt.Sprintf("owner-%s", k)\n\t\tst.owners[k] = name\n\t}\n}\n');
  });
});

describe('mutex-wrap inline: a call before the lock', () => {
  const store = (body: string, extra = '') => `package p

import "sync"

type Store struct {
	counts map[string]int
	aliasMu sync.Mutex
	aliases map[string]string
}

var s = &Store{counts: map[string]int{}, aliases: map[string]string{}}

func (st *Store) key(k string) string {
	st.aliasMu.Lock()
	defer st.aliasMu.Unlock()
	if a, ok := st.aliases[k]; ok {
		return a
	}
	return k
}
${extra}
func (st *Store) Claim(k string) {
${body}
}
${spawn}`;

  it('evaluates a call in the key into a fresh local before the lock, named after the map', () => {
    const plan = inline(store('\tcountsKey := k + "/"\n\tst.counts[st.key(countsKey)] = len(k)'));
    expect(plan.fixes).toHaveLength(1);
    expect(plan.files[0]!.after).toContain('\tcountsKey2 := st.key(countsKey)\n\tst.countsMu.Lock()\n\tst.counts[countsKey2] = len(k)\n\tst.countsMu.Unlock()\n');
  });

  it('gives each statement of one block its own temporaries', () => {
    const plan = inline(store('\tst.counts[st.key(k)] = 1\n\tst.counts[st.key(k+"/")] = st.names(k)', '\nfunc (st *Store) names(k string) int {\n\treturn len(st.key(k))\n}\n'));
    expect(plan.fixes).toHaveLength(1);
    expect(plan.files[0]!.after).toContain(
      '\tcountsKey := st.key(k)\n\tst.countsMu.Lock()\n\tst.counts[countsKey] = 1\n\tst.countsMu.Unlock()\n' +
        '\tcountsKey2 := st.key(k+"/")\n\tcountsVal := st.names(k)\n\tst.countsMu.Lock()\n\tst.counts[countsKey2] = countsVal\n\tst.countsMu.Unlock()\n',
    );
  });

  it('keeps declining when the call in the key reaches the map', () => {
    const plan = inline(store('\tst.counts[st.next(k)] = 1', '\nfunc (st *Store) next(k string) string {\n\tn := len(st.counts)\n\treturn st.key(k) + string(rune(\'a\'+n))\n}\n'));
    expect(plan.fixes).toEqual([]);
    expect(plan.declined.map((d) => d.reason).join('\n')).toMatch(/would hold the lock across a call of st\.next\(\)/);
  });

  it('keeps declining when the call in the key may not run (&&)', () => {
    const plan = inline(
      store('\tst.flags[k != "" && st.key(k) == k] = true').replace('counts map[string]int', 'flags map[bool]bool').replace('counts: map[string]int{}', 'flags: map[bool]bool{}'),
    );
    expect(plan.fixes).toEqual([]);
    expect(plan.declined.map((d) => d.reason).join('\n')).toMatch(/would hold the lock across a call of st\.key\(\)/);
  });

  it('keeps declining when the right-hand side of an update calls out too', () => {
    const plan = inline(store('\tst.counts[st.key(k)] += len(st.key(k))'));
    expect(plan.fixes).toEqual([]);
    expect(plan.declined.map((d) => d.reason).join('\n')).toMatch(/would hold the lock across a call of st\.key\(\)/);
  });

  it('keeps declining a return whose read follows a call in the same statement', () => {
    const plan = inline(store('\tst.counts[k]++', '\nfunc (st *Store) Stats(k string) [2]int {\n\treturn [2]int{len(st.key(k)), len(st.counts)}\n}\n\nfunc Report(out chan<- [2]int) {\n\tgo func() { out <- s.Stats("x") }()\n}\n'));
    expect(plan.fixes).toEqual([]);
    expect(plan.declined.map((d) => d.reason).join('\n')).toMatch(/leaves the region to lock \(return \[2\]int\{len\(st\.key\(k\)\), len\(st\.counts\)\}\) and the region runs a call of st\.key\(\)/);
  });
});

describe('mutex-wrap wrapper: a check and its act', () => {
  function wrapper(src: string) {
    const dir = tempTree({ 'go.mod': GO_MOD, 'p.go': src });
    return planFixes(['.'], { cwd: dir, strategy: 'mutex-wrap', style: 'wrapper', includeReview: true });
  }

  it('declines when the write depends on the read, since two locked calls would let two goroutines pass the check', () => {
    const plan = wrapper(`package p

type Store struct {
	owners map[string]string
}

var s = &Store{owners: map[string]string{}}

func (st *Store) Claim(k string) bool {
	_, taken := st.owners[k]
	if !taken {
		st.owners[k] = "me"
	}
	return !taken
}
${spawn}`);
    expect(plan.fixes).toEqual([]);
    expect(plan.declined.map((d) => d.reason).join('\n')).toMatch(/p\.go:10 checks the entry that p\.go:12 then writes, and p\.go:14 tells the caller what the check found \(return !taken\): as two locked method calls, two goroutines could both pass the check; --style inline keeps them in one critical section/);
  });

  it('declines a read-modify-write over two statements: the write uses what the read returned', () => {
    const plan = wrapper(`package p

type Store struct {
	owners map[string]int
}

var s = &Store{owners: map[string]int{}}

func (st *Store) Claim(k string) {
	n := st.owners[k]
	st.owners[k] = n + 1
}
${spawn}`);
    expect(plan.fixes).toEqual([]);
    expect(plan.declined.map((d) => d.reason).join('\n')).toMatch(/p\.go:10 checks the entry that p\.go:11 then writes, and the write uses what the read returned \(n\)/);
  });

  it('rewrites a fill of a missing entry whose caller gets the entry either way, flagged for review', () => {
    const plan = wrapper(`package p

import "strings"

type Store struct {
	owners map[string]string
}

var s = &Store{owners: map[string]string{}}

func (st *Store) Claim(k string) string {
	if v, ok := st.owners[k]; ok {
		return v
	}
	v := strings.ToUpper(k)
	st.owners[k] = v
	return v
}
${spawn}`);
    expect(plan.declined).toEqual([]);
    expect(plan.fixes).toHaveLength(1);
    expect(plan.fixes[0]!.safety).toBe('review');
    expect(plan.fixes[0]!.reason).toMatch(/Claim reads the map \(p\.go:12\) and then writes it \(p\.go:16\) in separate locked calls/);
  });

  it('declines a fill whose other branch acts on the entry it found (etcd contrib/lock/storage: compare versions, then answer)', () => {
    const plan = wrapper(`package p

type entry struct {
	val     string
	version int
}

type Store struct {
	data map[string]*entry
}

var s = &Store{data: map[string]*entry{}}

func (st *Store) Claim(k string) {
	if e, ok := st.data[k]; ok {
		if e.version != 1 {
			println("conflict")
		} else {
			e.val = "me"
			println("ok")
		}
	} else {
		st.data[k] = &entry{"me", 1}
		println("ok")
	}
}
${spawn}`);
    expect(plan.fixes).toEqual([]);
    expect(plan.declined.map((d) => d.reason).join('\n')).toMatch(
      /p\.go:15 checks the entry that p\.go:23 then writes, and p\.go:16 acts on what the check found when the entry is there \(if e\.version != 1 \{\): as two locked method calls/,
    );
  });

  it('still rewrites a read and a write that do not decide each other, flagged for review', () => {
    const plan = wrapper(`package p

type Store struct {
	owners map[string]string
}

var s = &Store{owners: map[string]string{}}

func (st *Store) Claim(k string) {
	println(st.owners["last"])
	st.owners[k] = "me"
}
${spawn}`);
    expect(plan.fixes).toHaveLength(1);
    expect(plan.fixes[0]!.safety).toBe('review');
    expect(plan.fixes[0]!.reason).toMatch(/Claim reads the map \(p\.go:10\) and then writes it \(p\.go:11\) in separate locked calls/);
  });
});

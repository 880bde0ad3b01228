// A race the package's callers make (no goroutine, handler or callback of the package reaches the
// map) is high when the unguarded access's own function takes the map's lock at another access,
// or calls a function that writes the map under that lock (session 17, docs/confidence.md "A
// function that takes the lock itself"): jaeger's CacheStore.GetServices sizes its result with
// len(c.services) before c.cacheLock, seaweedfs' kafka Metrics.RecordError reads its counters
// after ensureCounters inserted them under m.mu. Before, both were low ("no goroutine, handler or
// callback of the package reaches it").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp } from './helpers/cli.js';
import { fixtureInput, lineOf, scanFiles, swapIn } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const report = (src: string) =>
  scanFiles({ 'input.go': src }).map((f) => ({ at: `${f.rule}@${f.line}`, confidence: f.confidence, reason: f.confidenceReason }));

describe('an unguarded access in a function that takes the lock itself', () => {
  const SRC = fixtureInput('unguarded-map-access/size-hint-before-own-lock');
  const HINT = lineOf(SRC, '\tnames := make([]string, 0, len(s.lastSeen))');

  it('a size hint read before the function takes the lock: high (the fixture)', () => {
    expect(report(SRC)).toEqual([{ at: `unguarded-map-access@${HINT}`, confidence: 'high', reason: undefined }]);
  });

  it('a read after the function released the lock: high', () => {
    const src = swapIn(
      SRC,
      '\tnames := make([]string, 0, len(s.lastSeen))\n\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n\tfor name := range s.lastSeen {\n\t\tnames = append(names, name)\n\t}\n',
      '\ts.mu.Lock()\n\tnames := make([]string, 0, 8)\n\tfor name := range s.lastSeen {\n\t\tnames = append(names, name)\n\t}\n\ts.mu.Unlock()\n\tif len(s.lastSeen) == 0 {\n\t\treturn nil\n\t}\n',
    );
    const at = lineOf(src, '\tif len(s.lastSeen) == 0 {');
    expect(report(src)).toEqual([{ at: `unguarded-map-access@${at}`, confidence: 'high', reason: undefined }]);
  });

  it('nothing in the package calls the function that takes the lock: low, saying so', () => {
    const src = swapIn(SRC, '\treturn strings.Join(s.Names(), "\\n")', '\treturn ""');
    const found = report(swapIn(src, '\t"strings"\n', ''));
    expect(found.map((f) => f.confidence)).toEqual(['low']);
    expect(found[0]!.reason).toMatch(/^no goroutine, handler or callback of the package reaches Services\.lastSeen: .*\(Names takes the lock itself, but nothing in the scanned modules calls it\)$/);
  });

  it('a function that never takes the lock: low, the callers-only assumption stays', () => {
    const src = swapIn(SRC, '\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n\tfor name := range s.lastSeen {', '\tfor name := range s.lastSeen {');
    const found = report(src);
    expect(found.map((f) => f.confidence)).toEqual(['low']);
    expect(found[0]!.reason).toMatch(/^no goroutine, handler or callback of the package reaches Services\.lastSeen/);
  });

  it('the lock taken only in a function literal inside it: low (the literal may run elsewhere)', () => {
    const src = swapIn(
      SRC,
      '\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n\tfor name := range s.lastSeen {\n\t\tnames = append(names, name)\n\t}\n',
      '\tcollect := func() {\n\t\ts.mu.Lock()\n\t\tdefer s.mu.Unlock()\n\t\tfor name := range s.lastSeen {\n\t\t\tnames = append(names, name)\n\t\t}\n\t}\n\t_ = collect\n',
    );
    expect(report(src).map((f) => f.confidence)).toEqual(['low']);
  });
});

describe('an unguarded access after a call to the type’s insert-under-the-lock helper', () => {
  const SRC = fixtureInput('unguarded-map-access/read-after-own-insert-helper');
  const READ = lineOf(SRC, '\tatomic.AddInt64(c.requests[key], 1)');

  it('the helper writes the map under the lock: high (the fixture)', () => {
    expect(report(SRC)).toEqual([{ at: `unguarded-map-access@${READ}`, confidence: 'high', reason: undefined }]);
  });

  it('the helper only reads under the lock (a locked getter): low, as etcd’s ValidateClusterAndAssignIDs calling Members()', () => {
    // Register inserts; Record only asks the locked getter Count before its unlocked read.
    const src = swapIn(
      swapIn(SRC, '\tc.ensure(key)\n', '\tif c.Count(key) < 0 {\n\t\treturn\n\t}\n'),
      '// Count returns',
      'func (c *Counters) Register(key uint16) {\n\tc.ensure(key)\n}\n\n// Count returns',
    );
    expect(report(src).map((f) => f.confidence)).toEqual(['low']);
  });
});

describe('a map copied out of its field under the lock and used after the unlock', () => {
  // grpc-go's ClientConn.ResetConnectBackoff (clientconn.go:1184): `cc.mu.Lock(); conns :=
  // cc.conns; cc.mu.Unlock()`, then `for ac := range conns`. Session 18; low before.
  const SRC = fixtureInput('unguarded-map-access/range-copy-taken-under-own-lock');
  const RANGE = lineOf(SRC, '\tfor c := range conns {');
  const COPY = '\tp.mu.Lock()\n\tconns := p.conns\n\tp.mu.Unlock()\n';

  it('the copy taken under the guard: high (the fixture)', () => {
    expect(report(SRC)).toEqual([{ at: `unguarded-map-access@${RANGE}`, confidence: 'high', reason: undefined }]);
  });

  it('the copy taken without any lock: low, the callers-only assumption stays', () => {
    const src = swapIn(SRC, COPY, '\tconns := p.conns\n');
    const at = lineOf(src, '\tfor c := range conns {');
    expect(report(src)).toEqual([{ at: `unguarded-map-access@${at}`, confidence: 'low', reason: expect.stringMatching(/^no goroutine, handler or callback of the package reaches Pool\.conns/) }]);
  });

  it('the copy taken under another lock: low', () => {
    const src = swapIn(
      swapIn(SRC, COPY, '\tp.other.Lock()\n\tconns := p.conns\n\tp.other.Unlock()\n'),
      '\tmu    sync.Mutex\n',
      '\tmu    sync.Mutex\n\tother sync.Mutex\n',
    );
    expect(report(src).map((f) => f.confidence)).toEqual(['low']);
  });

  it('nothing in the package calls the function that copies: low, saying so', () => {
    const found = report(swapIn(SRC, '\tp.ResetBackoff()\n', ''));
    expect(found.map((f) => f.confidence)).toEqual(['low']);
    expect(found[0]!.reason).toMatch(/\(ResetBackoff takes the lock itself, but nothing in the scanned modules calls it\)$/);
  });

  it('the function named only in an interface’s method list: low (argo-cd’s GetAppDistribution)', () => {
    const src = swapIn(SRC, '\tp.ResetBackoff()\n', '\tvar r Resetter = p\n\t_ = r\n');
    const found = report(`${src}\n// Resetter is what the package's users may call.\ntype Resetter interface {\n\tResetBackoff()\n}\n`);
    expect(found.map((f) => f.confidence)).toEqual(['low']);
    expect(found[0]!.reason).toMatch(/\(ResetBackoff takes the lock itself, but nothing in the scanned modules calls it\)$/);
  });

  it('a function that swaps a new map into the field after the copy, itself: nothing to report', () => {
    const src = swapIn(SRC, '\tconns := p.conns\n\tp.mu.Unlock()\n', '\tconns := p.conns\n\tp.conns = make(map[*Conn]struct{})\n\tp.mu.Unlock()\n');
    expect(report(src)).toEqual([]);
  });

  it('a function that swaps a new map into the field after the copy, through a helper: low (grpc-go’s enterIdleMode)', () => {
    const src = swapIn(
      swapIn(SRC, '\tconns := p.conns\n\tp.mu.Unlock()\n', '\tconns := p.conns\n\tp.resetLocked()\n\tp.mu.Unlock()\n'),
      '// NetworkUp is',
      '// resetLocked starts an empty set; p.mu is held.\nfunc (p *Pool) resetLocked() {\n\tp.conns = make(map[*Conn]struct{})\n}\n\n// NetworkUp is',
    );
    expect(report(src).map((f) => f.confidence)).toEqual(['low']);
  });

  it('writers that replace the whole map under the lock (copy-on-write): nothing to report', () => {
    const src = swapIn(
      SRC,
      '\tp.conns[c] = struct{}{}\n',
      '\tnext := make(map[*Conn]struct{}, len(p.conns)+1)\n\tfor k := range p.conns {\n\t\tnext[k] = struct{}{}\n\t}\n\tnext[c] = struct{}{}\n\tp.conns = next\n',
    );
    expect(report(src)).toEqual([]);
  });
});

describe('a lazy initialiser that puts a whole map in place under the lock', () => {
  // Go 1.19's debug/gosym LineTable.initFileMap: readers call it, then read t.fileMap unlocked. The
  // lock orders every read after the one store, and nothing writes the map's contents later.
  const LAZY = `package fixture

import "sync"

type Table struct {
	mu    sync.Mutex
	files map[string]int
	names []string
}

func (t *Table) initFiles() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.files != nil {
		return
	}
	m := make(map[string]int)
	for i, n := range t.names {
		m[n] = i
	}
	t.files = m
}

// FileNumber is called by the package's callers, from any goroutine.
func (t *Table) FileNumber(name string) (int, bool) {
	t.initFiles()
	n, ok := t.files[name]
	return n, ok
}

func Lookup(t *Table, name string) int {
	n, _ := t.FileNumber(name)
	return n
}
`;

  it('is no evidence: the unlocked read after calling it stays low', () => {
    const found = report(LAZY);
    expect(found.map((f) => f.confidence)).toEqual(['low']);
    expect(found[0]!.reason).toMatch(/^no goroutine, handler or callback of the package reaches Table\.files/);
  });

  it('a helper that inserts into the map under the lock is (the read races with the next insert): high', () => {
    const src = swapIn(LAZY, '\tif t.files != nil {\n\t\treturn\n\t}\n\tm := make(map[string]int)\n\tfor i, n := range t.names {\n\t\tm[n] = i\n\t}\n\tt.files = m\n', '\tfor i, n := range t.names {\n\t\tt.files[n] = i\n\t}\n');
    expect(report(src).map((f) => f.confidence)).toEqual(['high']);
  });
});


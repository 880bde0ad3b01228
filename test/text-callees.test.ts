// Call edges of bodies the walker skips are read from their text (src/analysis/text-callees.ts).
// A method call on the line after a statement ending in `)` is a call on its own receiver, not on
// the result of that statement: Go ends the statement at the line break.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp, scanJson, tempTree } from './helpers/cli.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

// loop mentions no map, lock or goroutine, so it is only read for its calls; bump, which it
// calls, writes the map under t.mu in the goroutine Start starts; Reset writes it unlocked.
const SRC = (between: string) => `package p

import (
	"sync"
	"time"
)

type T struct {
	mu sync.Mutex
	m  map[string]int
}

func (t *T) Start() { go t.loop() }

func (t *T) loop() {
	n := time.Now().Unix()${between}t.bump(n)
}

func (t *T) bump(n int64) {
	t.mu.Lock()
	t.m["k"] = int(n)
	t.mu.Unlock()
}

func (t *T) Reset() { t.m["k"] = 0 }
`;

const findings = (src: string) => {
  const dir = tempTree({ 'go.mod': 'module example.com/p\n\ngo 1.21\n', 'p.go': src });
  return scanJson([dir]).report.findings;
};

describe('text call edges', () => {
  it('a call on the line after a `)` runs in the goroutine: the unlocked Reset races with it', () => {
    const got = findings(SRC('\n\t'));
    expect(got.map((f) => f.rule)).toContain('unguarded-map-access');
    expect(JSON.stringify(got)).toContain('go t.loop()');
  });

  it('the same call after a `;` on the same line is found too', () => {
    expect(JSON.stringify(findings(SRC('; ')))).toContain('go t.loop()');
  });
});

// The declared names are read backwards from each `:=`; they must be what the pattern
// `((?:\b\w+\s*,\s*){0,8}\b\w+)\s*:=\s*(?:range\s+)?` found, read forwards, before it.
describe('short variable declarations read from the text', () => {
  const PATTERN = /((?:\b\w+\s*,\s*){0,8}\b\w+)\s*:=\s*(?:range\s+)?/g;
  const CASES: [string, string][] = [
    ['one name', 'x := f()'],
    ['several, and a range', 'a, b := 1, 2\nfor k, v := range m {}'],
    ['a comma at the end of the line before', 'g(a,\n\tb)\nc,\n d := 1, 2'],
    ['more than nine names', 'a1, a2, a3, a4, a5, a6, a7, a8, a9, a10 := t()'],
    ['no name before', ') := x\n:= y\n_ , ok := z'],
    ['range without a space, and at the end', 'x := rangeY\ny := range'],
    ['tabs, form feeds and non-breaking spaces', 'a\t,\u00a0b\f:=\vrange\tm'],
  ];
  it.each(CASES)('%s', async (_name, body) => {
    const { shortVarDecls } = await import('../src/analysis/text-callees.js');
    const expected = [...body.matchAll(PATTERN)].map((m) => ({ names: m[1]!.split(',').map((s) => s.trim()), range: /range\s+$/.test(m[0]), end: m.index! + m[0].length }));
    expect(expected.length).toBeGreaterThan(0);
    expect(shortVarDecls(body)).toEqual(expected);
  });
});

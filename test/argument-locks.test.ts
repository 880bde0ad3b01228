// A map passed as an argument is the parameter only while the call that passes it runs, under
// the locks held there (docs/locks.md).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp, REPO, scanJson, tempTree } from './helpers/cli.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const BASE = readFileSync(join(REPO, 'fixtures/negative/map-argument-under-callers-lock/input.go'), 'utf8');
const GO_MOD = 'module example.com/fixture\n\ngo 1.21\n';
const lineOf = (text: string) => BASE.split('\n').findIndex((l) => l.includes(text)) + 1;
const helperRange = lineOf('for _, c := range conns {');
const closureRange = BASE.split('\n').findIndex((l, i) => i + 1 > helperRange && l.includes('for _, c := range conns {')) + 1;
const CALLS = '\tcheck(gw.in)\n\tpinned += countPinned(gw.in)\n\tgw.RUnlock()\n';

const scan = (src: string): string[] => {
  const dir = tempTree({ 'go.mod': GO_MOD, 'input.go': src });
  return scanJson([dir]).report.findings.map((f) => `${f.rule}@${f.line}`);
};

describe('a map passed as an argument under its lock', () => {
  it('is guarded at the accesses through the parameter (the fixture): no finding', () => {
    expect(BASE).toContain(CALLS);
    expect(scan(BASE)).toEqual([]);
  });

  it('is not guarded when the call comes after the unlock: both ranges are reported', () => {
    const found = scan(BASE.replace(CALLS, '\tgw.RUnlock()\n\tcheck(gw.in)\n\tpinned += countPinned(gw.in)\n'));
    expect(found).toContain(`unguarded-map-access@${helperRange}`);
    expect(found).toContain(`unguarded-map-access@${closureRange}`);
  });

  it('is not guarded in a goroutine the call starts under the lock', () => {
    const found = scan(BASE.replace(CALLS, '\tcheck(gw.in)\n\tgo countPinned(gw.in)\n\tgw.RUnlock()\n'));
    expect(found).toContain(`unguarded-map-access@${helperRange}`);
  });

  it('is not guarded by a deferred call made under a lock released before the return', () => {
    const found = scan(BASE.replace(CALLS, '\tcheck(gw.in)\n\tdefer countPinned(gw.in)\n\tgw.RUnlock()\n'));
    expect(found).toContain(`unguarded-map-access@${helperRange}`);
  });

  it('is not guarded in a goroutine the callee starts with it', () => {
    const src = `${BASE.replace(CALLS, '\tcheck(gw.in)\n\twatch(gw.in)\n\tgw.RUnlock()\n')}
func watch(conns map[int]*conn) {
	go func() {
		for id := range conns {
			_ = id
		}
	}()
}
`;
    const at = src.split('\n').findIndex((l) => l.includes('for id := range conns {')) + 1;
    expect(scan(src)).toContain(`unguarded-map-access@${at}`);
  });
});

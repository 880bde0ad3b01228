// A package-level guard declared by its value (`connStatesMu = sync.RWMutex{}`, traefik's
// clientConnectionStatesMu) is a sync.RWMutex too: a copy or read under it takes only the read
// lock (src/plan/transform.ts guardIsRW). Until session 16 only a declared type counted, and
// snapshot-copy took the write lock for a read-only copy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp, runCli, tempTree } from './helpers/cli.js';
import { fixtureInput, swapIn } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const SRC = fixtureInput('map-escapes-lock/expvar-func-hands-out-live-map');
const DECL = '\tconnStatesMu sync.Mutex\n';

function fixedText(src: string): string {
  const dir = tempTree({ 'go.mod': 'module example.com/fixture\n\ngo 1.19\n', 'input.go': src });
  const out = JSON.parse(runCli(['fix', '.', '--strategy', 'snapshot-copy', '--format', 'json'], { cwd: dir }).stdout) as { fixes: { edits: { text: string }[] }[] };
  return out.fixes.flatMap((f) => f.edits.map((e) => e.text)).join('\n');
}

describe('the lock a snapshot copy of a package map takes', () => {
  for (const [decl, rw] of [
    ['\tconnStatesMu sync.RWMutex\n', true],
    ['\tconnStatesMu = sync.RWMutex{}\n', true],
    ['\tconnStatesMu = &sync.RWMutex{}\n', true],
    ['\tconnStatesMu = new(sync.RWMutex)\n', true],
    ['\tconnStatesMu sync.Mutex\n', false],
    ['\tconnStatesMu = sync.Mutex{}\n', false],
  ] as const) {
    it(`${decl.trim()}: ${rw ? 'the read lock' : 'the lock'}`, () => {
      const text = fixedText(swapIn(SRC, DECL, decl));
      expect(text).toContain(rw ? 'connStatesMu.RLock()' : 'connStatesMu.Lock()');
      expect(text).not.toContain(rw ? 'connStatesMu.Lock()' : 'connStatesMu.RLock()');
    });
  }
});

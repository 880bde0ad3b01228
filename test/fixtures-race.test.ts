// Runs the real Go toolchain over every fixture case (fixtures/**/expect.json):
//  - the case vets cleanly with Go 1.26 (and Go 1.19 when its go directive allows and Go 1.19 is installed);
//  - a case with race_test.go proves its `race` claim under `go test -race`;
//  - a case without race_test.go has no `race` key and starts no goroutines.
// Cases are discovered synchronously at collection time: adding a folder adds tests.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  caseDirs,
  DEFAULT_GO_MOD,
  goBinaries,
  goDirective,
  isInputGoFile,
  prepareCase,
  raceResult,
  runGo,
  type GoRun,
} from './helpers/go-toolchain.js';
import { withGoSlot } from './helpers/go-pool.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** GOMAPFIX_FIXTURES points the harness at another fixtures tree (for trying it out). */
const FIXTURES = process.env.GOMAPFIX_FIXTURES || join(ROOT, 'fixtures');
const GO = goBinaries();
/** Per test: covers waiting for a pool slot plus up to three go runs (GO_TIMEOUT_MS each). */
const TEST_TIMEOUT = 2_400_000;
/**
 * The `-count` of each run a positive case gets to show its race: a racy input is run until it
 * races, with more repetitions each time (a loaded machine can serialise the goroutines).
 */
const RACE_COUNTS = [1, 5, 20];

interface Case {
  id: string; // `<rule>/<case>`
  dir: string;
  expect: Record<string, unknown> | null;
  expectError: string | null;
  hasRaceTest: boolean;
  goMod: string;
}

function loadCases(): Case[] {
  return caseDirs(FIXTURES).map((dir) => {
    const id = relative(FIXTURES, dir).split(sep).join('/');
    let expectJson: Record<string, unknown> | null = null;
    let expectError: string | null = null;
    try {
      const parsed: unknown = JSON.parse(readFileSync(join(dir, 'expect.json'), 'utf8'));
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) expectJson = parsed as Record<string, unknown>;
      else expectError = 'expect.json is not a JSON object';
    } catch (err) {
      expectError = `expect.json does not parse: ${(err as Error).message}`;
    }
    const modPath = join(dir, 'go.mod');
    return {
      id,
      dir,
      expect: expectJson,
      expectError,
      hasRaceTest: existsSync(join(dir, 'race_test.go')),
      goMod: existsSync(modPath) ? readFileSync(modPath, 'utf8') : DEFAULT_GO_MOD,
    };
  });
}

/** Go source with comments and string/rune literals blanked out, so keyword checks see only code. */
function stripCommentsAndStrings(src: string): string {
  let out = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    const next = src[i + 1];
    if (c === '/' && next === '/') {
      const end = src.indexOf('\n', i);
      i = end < 0 ? src.length : end;
    } else if (c === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? src.length : end + 2;
      out += src.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else if (c === '`') {
      const end = src.indexOf('`', i + 1);
      const stop = end < 0 ? src.length : end + 1;
      out += '""' + (src.slice(i, stop).match(/\n/g) ?? []).join('');
      i = stop;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < src.length && src[j] !== c && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1;
      out += c + c;
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

const GO_STMT = /\bgo\s+(func|[A-Za-z_])/;
// Other ways a package starts goroutines itself: errgroup/WaitGroup `.Go(`, time.AfterFunc.
const SPAWNERS = /\.Go\s*\(|\bAfterFunc\s*\(/;

/** `file:line: text` of each goroutine start in the case's non-test inputs. */
function goroutineStarts(caseDir: string): string[] {
  const hits: string[] = [];
  for (const name of readdirSync(caseDir).sort()) {
    if (!isInputGoFile(name) || name.endsWith('_test.go')) continue;
    const lines = stripCommentsAndStrings(readFileSync(join(caseDir, name), 'utf8')).split('\n');
    lines.forEach((line, idx) => {
      if (GO_STMT.test(line) || SPAWNERS.test(line)) hits.push(`${name}:${idx + 1}: ${line.trim()}`);
    });
  }
  return hits;
}

async function goInCase(c: Case, bin: string, args: string[]): Promise<GoRun> {
  return withGoSlot(async () => {
    const prepared = prepareCase(c.dir);
    try {
      return await runGo(bin, args, prepared.dir);
    } finally {
      prepared.cleanup();
    }
  });
}

function describeRun(bin: string, args: string[], run: GoRun): string {
  const text = run.output.length > 6000 ? run.output.slice(0, 6000) + '\n…(cut)' : run.output;
  return `\`${bin} ${args.join(' ')}\` exited ${run.code}${run.timedOut ? ' (timed out)' : ''}:\n${text}`;
}

const cases = loadCases();

describe.concurrent('fixtures against the Go toolchain', () => {
  if (cases.length === 0) {
    it.skip('no fixture cases found under fixtures/');
    return;
  }

  for (const c of cases) {
    it(`${c.id}: expect.json agrees with race_test.go`, () => {
      expect(c.expectError, c.expectError ?? '').toBeNull();
      const e = c.expect!;
      if (c.hasRaceTest) {
        expect(typeof e.race, 'race_test.go exists, so expect.json needs a boolean "race"').toBe('boolean');
      } else {
        expect('race' in e, 'expect.json has "race" but the case has no race_test.go').toBe(false);
        const starts = goroutineStarts(c.dir);
        expect(
          starts,
          `the case starts goroutines but has no race_test.go proving its race claim:\n${starts.join('\n')}`,
        ).toEqual([]);
      }
    });

    it(`${c.id}: go vet ./... (go1.26)`, { timeout: TEST_TIMEOUT }, async () => {
      const args = ['vet', './...'];
      const run = await goInCase(c, GO.go126, args);
      expect(run.code, describeRun('go', args, run)).toBe(0);
    });

    const directive = goDirective(c.goMod);
    const go119Reason = !GO.go119
      ? 'Go 1.19 not installed'
      : !directive
        ? 'go.mod has no go directive'
        : directive.major > 1 || directive.minor > 19
          ? `go directive ${directive.major}.${directive.minor} > 1.19`
          : null;
    it.skipIf(go119Reason !== null)(
      `${c.id}: go vet ./... (go1.19)${go119Reason ? ` [skipped: ${go119Reason}]` : ''}`,
      { timeout: TEST_TIMEOUT },
      async () => {
        const args = ['vet', './...'];
        const run = await goInCase(c, GO.go119!, args);
        expect(run.code, describeRun(GO.go119!, args, run)).toBe(0);
      },
    );

    if (c.hasRaceTest) {
      const claim = c.expect?.race;
      const title =
        claim === true
          ? `go test -race shows the race (-count ${RACE_COUNTS.join(', then ')} until it does)`
          : claim === false
            ? 'go test -race -count=3 passes'
            : 'go test -race (expect.json lacks a boolean "race")';
      it(`${c.id}: ${title}`, { timeout: TEST_TIMEOUT }, async () => {
        expect(typeof claim, 'expect.json needs a boolean "race"').toBe('boolean');
        const counts = claim ? RACE_COUNTS : [3];
        // The race detector has no false positives, so one detection proves a racy input.
        // A run can miss a race when the scheduler happens to order the goroutines (e.g. via
        // sync.Pool's happens-before edges under load): a positive case is run again with a
        // higher -count until it races, a bounded number of times.
        let args = ['test', '-race', `-count=${counts[0]}`, './...'];
        let run = await goInCase(c, GO.go126, args);
        let result = raceResult(run);
        for (const count of counts.slice(1)) {
          if (result.kind !== 'pass') break;
          args = ['test', '-race', `-count=${count}`, './...'];
          run = await goInCase(c, GO.go126, args);
          result = raceResult(run);
          if (result.kind === 'race') console.warn(`${c.id}: the race showed only with -count=${count}; make race_test.go more robust`);
        }
        const tries = counts.length > 1 && result.kind === 'pass' ? ` (runs with -count ${counts.join(', ')})` : '';
        expect(result.kind, describeRun('go', args, run) + tries).toBe(claim ? 'race' : 'pass');
      });
    }
  }
});

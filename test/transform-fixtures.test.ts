// Every fixture case whose expect.json has a `fix` entry (docs/fixtures.md) is rewritten by the
// real tool and the result is proven by the real Go toolchain:
//  - the planned files equal the case's output*.go exactly (inputs without one stay unchanged;
//    a created file such as gomapfix_helpers.go has an output_gomapfix_helpers.go);
//  - a second run over the result plans nothing (idempotent);
//  - the output passes go vet and go build (Go 1.26, and Go 1.19 when the go directive allows),
//    and `go test -race -count=3` (every race test now passes);
//  - the behaviour tests (TestBehaviour*) pass on the input and on the output;
//  - a `declines` case produces no edit and the expected reason.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { planFixes } from '../src/fix.js';
import { caseDirs, copyCaseInputs, goBinaries, goDirective, outputTarget, prepareCase, raceResult, runGo } from './helpers/go-toolchain.js';
import { withGoSlot } from './helpers/go-pool.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURES = join(ROOT, 'fixtures');
const GO = goBinaries();

interface FixExpectation {
  transform: string;
  style?: 'inline' | 'wrapper';
  declines?: string;
  /** A finding of the case the transform declines while it fixes the others. */
  alsoDeclines?: string;
  /** 'review' when the fix must be marked for review (applied only with --include-review). */
  safety?: 'safe' | 'review';
}

interface FixCase {
  id: string;
  dir: string;
  fix: FixExpectation;
  outputs: Map<string, string>; // input name -> expected text
  /** The case's finding is a hazard reported with `--hazards` (expect.json `"hazards": true`). */
  hazards: boolean;
}

function loadCase(dir: string): FixCase | null {
  const expectJson = JSON.parse(readFileSync(join(dir, 'expect.json'), 'utf8')) as { fix?: FixExpectation; hazards?: boolean };
  if (!expectJson.fix) return null;
  const outputs = new Map<string, string>();
  for (const name of readdirSync(dir).sort()) {
    const target = outputTarget(name);
    if (target) outputs.set(target, readFileSync(join(dir, name), 'utf8'));
  }
  return { id: relative(FIXTURES, dir).split(sep).join('/'), dir, fix: expectJson.fix, outputs, hazards: !!expectJson.hazards };
}

/** The minor version of the case's go directive (19 without a go.mod, as the harness writes). */
function goDirectiveOf(c: FixCase): number {
  const mod = join(c.dir, 'go.mod');
  return existsSync(mod) ? (goDirective(readFileSync(mod, 'utf8'))?.minor ?? 19) : 19;
}

const cases = caseDirs(FIXTURES)
  .map(loadCase)
  .filter((c): c is FixCase => c !== null);

function plan(c: FixCase, dir: string) {
  return planFixes([dir], { cwd: dir, strategy: c.fix.transform, style: c.fix.style ?? 'inline', includeReview: true, ...(c.hazards ? { hazards: true } : {}) });
}

describe('transform fixtures', () => {
  it('there are at least 15 mutex-wrap cases with a proven output', () => {
    const proven = cases.filter((c) => c.fix.transform === 'mutex-wrap' && !c.fix.declines && c.outputs.size > 0);
    expect(proven.length).toBeGreaterThanOrEqual(15);
    const wrapper = proven.filter((c) => c.fix.style === 'wrapper');
    expect(wrapper.length, 'wrapper-style cases').toBeGreaterThanOrEqual(10);
    expect(wrapper.some((c) => goDirectiveOf(c) < 18), 'a concrete (pre-generics) wrapper case').toBe(true);
  });

  for (const id of ['sync-map', 'snapshot-copy', 'collect-then-delete', 'atomic-swap']) {
    it(`${id} has at least 10 cases, proven rewrites at go 1.19 and at go 1.21 or later, and recorded declines`, () => {
      const mine = cases.filter((c) => c.fix.transform === id);
      expect(mine.length).toBeGreaterThanOrEqual(10);
      const proven = mine.filter((c) => !c.fix.declines && c.outputs.size > 0);
      expect(proven.some((c) => goDirectiveOf(c) <= 19)).toBe(true);
      expect(proven.some((c) => goDirectiveOf(c) >= 21)).toBe(true);
      expect(mine.filter((c) => c.fix.declines).length).toBeGreaterThanOrEqual(2);
    });
  }

  for (const c of cases) {
    describe(c.id, () => {
      if (c.fix.declines) {
        it(`${c.fix.transform} declines with the recorded reason`, () => {
          const tmp = copyCaseInputs(c.dir);
          try {
            const p = plan(c, tmp.dir);
            expect(p.findings.length).toBeGreaterThan(0);
            expect(p.files).toEqual([]);
            expect(p.declined.map((d) => d.reason).join('\n')).toContain(c.fix.declines);
          } finally {
            tmp.cleanup();
          }
        });
        return;
      }

      it('the rewrite equals the expected output and a second run changes nothing', () => {
        expect(c.outputs.size, 'a fix case needs output*.go files').toBeGreaterThan(0);
        const tmp = copyCaseInputs(c.dir);
        try {
          const p = plan(c, tmp.dir);
          if (c.fix.alsoDeclines) expect(p.declined.map((d) => d.reason).join('\n')).toContain(c.fix.alsoDeclines);
          else expect(p.declined, JSON.stringify(p.declined)).toEqual([]);
          expect(p.fixes.map((f) => f.safety)).toContain(c.fix.safety ?? 'safe');
          if (c.fix.safety !== 'review') expect(p.fixes.map((f) => f.safety)).not.toContain('review');
          expect(p.conflicts).toEqual([]);
          const produced = new Map(p.files.map((f) => [f.path, f.after]));
          for (const name of readdirSync(tmp.dir).filter((n) => n.endsWith('.go'))) {
            const want = c.outputs.get(name);
            if (want === undefined) expect(produced.has(name), `${name} has no output file, so it must not change`).toBe(false);
            else expect(produced.get(name), `${name}`).toBe(want);
          }
          // A file the plan creates (gomapfix_helpers.go) has an expected output too, and is new.
          for (const f of p.files.filter((x) => !existsSync(join(tmp.dir, x.path)))) {
            expect(f.created, `${f.path} does not exist, so the plan must create it`).toBe(true);
            expect(f.before).toBe('');
            expect(f.after, `${f.path} is created; output_${f.path} says what it holds`).toBe(c.outputs.get(f.path));
          }
          // Idempotent: the rewritten package has nothing left for this transform.
          for (const [name, text] of c.outputs) writeFileSync(join(tmp.dir, name), text);
          const again = plan(c, tmp.dir);
          expect(again.files.map((f) => f.path)).toEqual([]);
          const declinedBefore = new Set(p.declined.map((d) => p.findings.find((f) => f.id === d.findingId)?.rule));
          expect(again.findings.filter((f) => !declinedBefore.has(f.rule))).toEqual([]);
        } finally {
          tmp.cleanup();
        }
      });

      it('the output passes go vet, go build and go test -race -count=3; behaviour tests pass on input and output', { timeout: 900_000 }, async () => {
        const out = prepareCase(c.dir, { use: 'output' });
        const inp = prepareCase(c.dir, { use: 'input' });
        try {
          const directive = goDirective(out.goMod);
          const bins = [GO.go126, ...(GO.go119 && directive && directive.minor <= 19 ? [GO.go119] : [])];
          for (const bin of bins) {
            for (const args of [['vet', './...'], ['build', './...']]) {
              const r = await withGoSlot(() => runGo(bin, args, out.dir));
              expect(r.code, `${bin} ${args.join(' ')}:\n${r.output}`).toBe(0);
            }
          }
          if (existsSync(join(c.dir, 'race_test.go'))) {
            const race = await withGoSlot(() => runGo(GO.go126, ['test', '-race', '-count=3', './...'], out.dir));
            expect(raceResult(race).kind, race.output).toBe('pass');
          }
          // Single-goroutine cases (insert during range) have no race test, but behaviour tests all the same.
          for (const prepared of [inp, out]) {
            const run = () => withGoSlot(() => runGo(GO.go126, ['test', '-run', 'Behaviour', '-count=1', '-v', './...'], prepared.dir));
            let b = await run();
            // The input races by design: when its own goroutines hit the race the case is about
            // (`fatal error: concurrent map …`), that says nothing about behaviour; run it again.
            for (let i = 0; prepared === inp && b.code !== 0 && /fatal error: concurrent map/.test(b.output) && i < 5; i++) b = await run();
            expect(b.code, b.output).toBe(0);
            expect(b.output, 'the case needs a TestBehaviour test').toMatch(/--- PASS: TestBehaviour/);
          }
        } finally {
          out.cleanup();
          inp.cleanup();
        }
      });
    });
  }
});

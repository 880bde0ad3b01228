// `--strategy X` over the whole fixture tree (issue 4): every finding of every case (tests included,
// as in a real package) is fixed,
// declined with a reason, or reported as not applied. None is dropped silently. Every fix
// that is applied is proven by the Go toolchain:
//  - go vet and go build (Go 1.19 too when the directive allows);
//  - the behaviour tests;
//  - `go test -race` when the case has a race test and every finding was fixed.
// Cases whose expect.json already pins this transform's output are proven by
// transform-fixtures.test.ts and are not run again here.
// The counts must equal the table in docs/transforms/README.md. Regenerate it with
// `UPDATE_DOCS=1 npx vitest run test/strategy-table.test.ts`.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planFixes } from '../src/fix.js';
import type { Plan } from '../src/plan/model.js';
import { REPO } from './helpers/cli.js';
import { caseDirs, copyCaseInputs, goBinaries, goDirective, prepareCase, raceResult, runGo } from './helpers/go-toolchain.js';
import { withGoSlot } from './helpers/go-pool.js';

const FIXTURES = join(REPO, 'fixtures');
const DOC = join(REPO, 'docs', 'transforms', 'README.md');
const GO = goBinaries();

interface Strategy {
  name: string;
  strategy: string;
  style?: 'inline' | 'wrapper';
}

const STRATEGIES: Strategy[] = [
  { name: 'auto', strategy: 'auto' },
  { name: 'mutex-wrap --style inline', strategy: 'mutex-wrap', style: 'inline' },
  { name: 'mutex-wrap --style wrapper', strategy: 'mutex-wrap', style: 'wrapper' },
  { name: 'sync-map', strategy: 'sync-map' },
  { name: 'snapshot-copy', strategy: 'snapshot-copy' },
  { name: 'collect-then-delete', strategy: 'collect-then-delete' },
  { name: 'atomic-swap', strategy: 'atomic-swap' },
];

interface Case {
  id: string;
  dir: string;
  fix?: { transform: string; style?: string; declines?: string };
  hazards?: boolean;
}

const cases: Case[] = caseDirs(FIXTURES).flatMap((dir) => {
  const e = JSON.parse(readFileSync(join(dir, 'expect.json'), 'utf8')) as { findings?: unknown[]; fix?: Case['fix']; hazards?: boolean };
  return e.findings && e.findings.length > 0 ? [{ id: relative(FIXTURES, dir).split(sep).join('/'), dir, fix: e.fix, ...(e.hazards ? { hazards: true } : {}) }] : [];
});

function planCase(c: Case, s: Strategy): Plan {
  // The whole package, tests included, as the tool sees a real one: a test that touches the map is rewritten too.
  const copy = copyCaseInputs(c.dir, { tests: true });
  try {
    return planFixes(['.'], { cwd: copy.dir, strategy: s.strategy, style: s.style, includeReview: true, ...(c.hazards ? { hazards: true } : {}) });
  } finally {
    copy.cleanup();
  }
}

interface Outcome {
  findings: number;
  safe: number;
  review: number;
  declined: number;
  notApplied: number;
  dropped: string[];
}

/** Sorts each finding into fixed (safe / review), declined or not applied; anything else is dropped. */
function account(plan: Plan): Outcome {
  const o: Outcome = { findings: plan.findings.length, safe: 0, review: 0, declined: 0, notApplied: 0, dropped: [] };
  for (const f of plan.findings) {
    const fix = plan.fixes.find((x) => x.covers.includes(f.id));
    if (fix) {
      if (fix.safety === 'safe') o.safe++;
      else o.review++;
    } else if (plan.conflicts.some((x) => x.findingId === f.id && x.reason.length > 0)) o.notApplied++;
    else if (plan.declined.some((x) => x.findingId === f.id && x.reason.length > 0)) o.declined++;
    else o.dropped.push(`${f.file}:${f.line} ${f.rule}`);
  }
  return o;
}

/** Whether transform-fixtures.test.ts already proves this strategy's output on this case. */
function provenElsewhere(c: Case, s: Strategy): boolean {
  if (!c.fix || c.fix.declines || c.fix.transform !== s.strategy) return false;
  return s.strategy !== 'mutex-wrap' || (c.fix.style ?? 'inline') === s.style;
}

async function prove(c: Case, plan: Plan, everyFindingFixed: boolean): Promise<void> {
  const overrides = Object.fromEntries(plan.files.map((f) => [f.path, f.after]));
  const out = prepareCase(c.dir, { use: 'input', overrides });
  try {
    const directive = goDirective(out.goMod);
    const bins = [GO.go126, ...(GO.go119 && directive && directive.minor <= 19 ? [GO.go119] : [])];
    for (const bin of bins) {
      for (const args of [['vet', './...'], ['build', './...']]) {
        const r = await withGoSlot(() => runGo(bin, args, out.dir));
        expect(r.code, `${c.id}: ${bin} ${args.join(' ')}:\n${r.output}`).toBe(0);
      }
    }
    const hasBehaviour = readdirSync(c.dir).some((n) => n.endsWith('_test.go') && readFileSync(join(c.dir, n), 'utf8').includes('func TestBehaviour'));
    if (hasBehaviour) {
      const b = await withGoSlot(() => runGo(GO.go126, ['test', '-run', 'Behaviour', '-count=1', './...'], out.dir));
      expect(b.code, `${c.id}: behaviour tests on the output:\n${b.output}`).toBe(0);
    }
    if (everyFindingFixed && existsSync(join(c.dir, 'race_test.go'))) {
      const race = await withGoSlot(() => runGo(GO.go126, ['test', '-race', '-count=1', './...'], out.dir));
      expect(raceResult(race).kind, `${c.id}: go test -race on the output:\n${race.output}`).toBe('pass');
    }
  } finally {
    out.cleanup();
  }
}

const rows = new Map<string, Outcome & { cases: number; casesFixed: number; provenHere: number }>();

describe('--strategy over the whole fixture tree', () => {
  for (const s of STRATEGIES) {
    it(`${s.name}: every finding is fixed and proven, or declined with a reason`, { timeout: 1_800_000 }, async () => {
      const row = { findings: 0, safe: 0, review: 0, declined: 0, notApplied: 0, dropped: [] as string[], cases: 0, casesFixed: 0, provenHere: 0 };
      const proofs: Promise<void>[] = [];
      for (const c of cases) {
        const plan = planCase(c, s);
        const o = account(plan);
        row.cases++;
        row.findings += o.findings;
        row.safe += o.safe;
        row.review += o.review;
        row.declined += o.declined;
        row.notApplied += o.notApplied;
        row.dropped.push(...o.dropped.map((d) => `${c.id}: ${d}`));
        if (plan.files.length === 0) continue;
        row.casesFixed++;
        if (provenElsewhere(c, s)) continue;
        row.provenHere++;
        proofs.push(prove(c, plan, o.safe + o.review === o.findings));
      }
      const results = await Promise.allSettled(proofs);
      expect(row.dropped, 'findings neither fixed, declined nor reported').toEqual([]);
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => String(r.reason).slice(0, 3000));
      expect(failed, failed.join('\n\n')).toEqual([]);
      rows.set(s.name, row);
    });
  }

  it('docs/transforms/README.md shows these counts', () => {
    expect(rows.size, 'every strategy row must have been computed').toBe(STRATEGIES.length);
    const lines = [
      `| strategy | findings | fixed, safe | fixed, review | declined, with reason | not applied | cases rewritten |`,
      `| --- | --- | --- | --- | --- | --- | --- |`,
      ...STRATEGIES.map((s) => {
        const r = rows.get(s.name)!;
        return `| \`${s.name}\` | ${r.findings} | ${r.safe} | ${r.review} | ${r.declined} | ${r.notApplied} | ${r.casesFixed} of ${r.cases} |`;
      }),
    ];
    const table = lines.join('\n');
    const start = '<!-- strategy-table:start -->';
    const end = '<!-- strategy-table:end -->';
    const doc = readFileSync(DOC, 'utf8');
    const i = doc.indexOf(start);
    const j = doc.indexOf(end);
    expect(i, `${DOC} needs the ${start} … ${end} markers`).toBeGreaterThanOrEqual(0);
    if (process.env.UPDATE_DOCS) writeFileSync(DOC, `${doc.slice(0, i + start.length)}\n${table}\n${doc.slice(j)}`);
    else expect(doc.slice(i + start.length, j).trim()).toBe(table);
  });
});

#!/usr/bin/env node
// Runs `go test -race` over every positive fixture case (expect.json "race": true), triages the
// log it prints against the case, and checks each report lands on a map the case names
// (expect.json findings[].map). Prints one line per case and a summary; writes nothing but the
// logs it misplaces (in the temp directory). A case the toolchain cannot build (its go.mod needs a
// newer Go) is counted apart, with the compiler's first error.
// Usage: node bench/triage-fixtures.mjs [--go go|/usr/lib/go-1.19/bin/go] [filter]   (build first)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { caseModule, raceLog } from '../fixtures/triage/generate.mjs';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const args = process.argv.slice(2);
const goAt = args.indexOf('--go');
const GO = goAt >= 0 ? args.splice(goAt, 2)[1] : 'go';
const filter = args[0] ?? '';

function caseDirs(dir, out = []) {
  const entries = spawnSync('ls', [dir], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  if (entries.includes('expect.json')) out.push(dir);
  for (const e of entries) if (!e.includes('.') && e !== 'triage') caseDirs(join(dir, e), out);
  return out;
}

const results = { placed: 0, wrong: 0, noRace: 0, unplaced: 0, cannotBuild: 0, oneSided: 0, missedByScan: 0 };
for (const dir of caseDirs(join(ROOT, 'fixtures'))) {
  const id = relative(join(ROOT, 'fixtures'), dir).split(sep).join('/');
  if (filter && !id.includes(filter)) continue;
  const expect = JSON.parse(readFileSync(join(dir, 'expect.json'), 'utf8'));
  if (expect.race !== true) continue;
  const log = raceLog(GO, dir);
  if (/\[(?:build|setup) failed\]|is not in GOROOT|^note: module requires Go/m.test(log) && !log.includes('WARNING: DATA RACE')) {
    results.cannotBuild++;
    const goLine = existsSync(join(dir, 'go.mod')) ? /^go (\d+\.\d+)/m.exec(readFileSync(join(dir, 'go.mod'), 'utf8'))?.[1] : '1.19';
    const first = log.split('\n').find((l) => /\.go:\d+:\d+: |not in GOROOT|requires go/.test(l))?.trim();
    console.log(`no build  ${id}: go.mod says go ${goLine ?? '?'}; ${first ?? 'build failed'}`);
    continue;
  }
  if (!log.includes('WARNING: DATA RACE') && !log.includes('fatal error: concurrent map')) {
    results.noRace++;
    console.log(`no race   ${id}`);
    continue;
  }
  const repo = caseModule(dir);
  try {
    const r = spawnSync(process.execPath, [CLI, 'triage', '-', '--root', repo, '--format', 'json'], { input: log, encoding: 'utf8' });
    const out = JSON.parse(r.stdout || '{"confirmed":[],"unplaced":[],"notMapRaces":[]}');
    const want = new Set((expect.findings ?? []).map((f) => f.map));
    const got = out.confirmed.map((c) => c.map.name);
    const wrong = want.size > 0 ? got.filter((m) => !want.has(m)) : [];
    const extra = [...out.unplaced.map((u) => `unplaced: ${u.reason}`), ...out.notMapRaces.map((n) => `not a map race: ${n.reason}`)];
    // A complete race report with one side placed lost the other: say so.
    const oneSided = out.confirmed.flatMap((c) => c.reports).filter((r) => r.kind === 'race' && !r.truncated && r.sites.length < 2).length;
    if (oneSided > 0) extra.push(`${oneSided} race report(s) with one side placed: ${out.confirmed.flatMap((c) => c.reports).flatMap((r) => r.unplacedSides).join('; ')}`);
    results.oneSided += oneSided;
    const missed = out.confirmed.filter((c) => !c.static.found);
    results.missedByScan += missed.length;
    for (const c of missed) extra.push(`scan missed ${c.map.name}: ${c.static.why}`);
    if (got.length === 0) {
      results.unplaced++;
      console.log(`UNPLACED  ${id}: ${extra.join('; ') || r.stderr.trim()}`);
    } else if (wrong.length > 0) {
      results.wrong++;
      const saved = join(tmpdir(), `triage-wrong-${id.replace(/\//g, '-')}.log`);
      writeFileSync(saved, log);
      console.log(`WRONG     ${id}: got ${got.join(', ')}, want ${[...want].join(', ')} (log: ${saved})`);
    } else {
      results.placed++;
      console.log(`ok        ${id}: ${got.join(', ')}${extra.length > 0 ? ` (also: ${extra.join(' | ')})` : ''}`);
    }
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
}
console.log(JSON.stringify(results));

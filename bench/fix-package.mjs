#!/usr/bin/env node
// Benchmark: `gomapfix fix` against `gomapfix scan` on one directory (a big package).
//
//   node bench/fix-package.mjs DIR [--runs 1] [--timeout 1800] [-- extra fix arguments]
//
// Runs, in DIR's parent, `scan --format json DIR` then `fix --format json DIR` (a preview: nothing
// is written), each under GNU time and a timeout, and prints wall time, CPU time (user + system),
// peak RSS, the fix/scan CPU ratio, and what the plan holds (findings, fixes, declined, pending,
// conflicts, files). On a shared machine the CPU time is the steadier figure. The last line is a
// JSON summary for docs/BENCHMARKS.md. Needs the built CLI (GOMAPFIX_BENCH_CLI picks another).
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { timed } from './fix-bigfile.mjs';

function fail(message) {
  console.error(`bench/fix-package: ${message}`);
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { dir: null, runs: 1, timeout: 1800, extra: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => argv[++i] ?? fail(`${arg} needs a value`);
    if (arg === '--') {
      opts.extra = argv.slice(i + 1);
      break;
    } else if (arg === '--runs') opts.runs = Number(value());
    else if (arg === '--timeout') opts.timeout = Number(value());
    else if (arg === '-h' || arg === '--help') {
      console.log('usage: node bench/fix-package.mjs DIR [--runs N] [--timeout SECONDS] [-- extra fix arguments]');
      process.exit(0);
    } else if (arg.startsWith('-')) fail(`unknown argument ${arg}`);
    else if (opts.dir) fail('give one directory');
    else opts.dir = resolve(arg);
  }
  if (!opts.dir) fail('give the directory to benchmark');
  if (!existsSync(opts.dir) || !statSync(opts.dir).isDirectory()) fail(`${opts.dir} is not a directory`);
  if (!Number.isInteger(opts.runs) || opts.runs < 1) fail('--runs must be a positive integer');
  if (!(opts.timeout > 0)) fail('--timeout must be a positive number of seconds');
  return opts;
}

function show(label, r) {
  const status = r.timedOut ? 'did not finish' : `exit ${r.exit}`;
  console.log(`${label}: wall ${r.wall.toFixed(1)} s, CPU ${r.cpu?.toFixed(1) ?? '?'} s, peak RSS ${r.rssMB ?? '?'} MB, ${status}`);
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const cwd = dirname(opts.dir);
  const target = basename(opts.dir);
  const runs = [];
  for (let i = 0; i < opts.runs; i++) {
    const scan = timed(['scan', '--format', 'json', target], cwd, opts.timeout);
    show(`scan ${i + 1}`, scan);
    const fix = timed(['fix', '--format', 'json', ...opts.extra, target], cwd, opts.timeout);
    show(`fix  ${i + 1}`, fix);
    let plan = null;
    if (!fix.timedOut && fix.exit !== 2) {
      try {
        const p = JSON.parse(fix.stdout);
        plan = Object.fromEntries(['findings', 'fixes', 'declined', 'pending', 'conflicts', 'files', 'errors'].map((k) => [k, p[k].length]));
        console.log(`  plan: ${Object.entries(plan).map(([k, v]) => `${v} ${k}`).join(', ')}`);
      } catch {
        console.log('  fix printed no JSON plan');
      }
    } else if (fix.stderr) console.log(`  stderr: ${fix.stderr.split('\n')[0]}`);
    const ratio = scan.cpu && fix.cpu ? +(fix.cpu / scan.cpu).toFixed(2) : null;
    if (ratio !== null) console.log(`  fix/scan CPU: ${ratio}x`);
    runs.push({ scan: { wall: scan.wall, cpu: scan.cpu, rssMB: scan.rssMB, exit: scan.exit }, fix: { wall: fix.wall, cpu: fix.cpu, rssMB: fix.rssMB, exit: fix.exit, timedOut: fix.timedOut }, plan, ratio });
  }
  console.log(JSON.stringify({ bench: 'fix-package', dir: opts.dir, node: process.version, runs }));
}

main();

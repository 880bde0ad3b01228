#!/usr/bin/env node
// Benchmark: `gomapfix fix` on one big generated Go file (1 MB, 5 MB and 20 MB by default).
//
//   node bench/fix-bigfile.mjs [--sizes 1,5,20] [--maps 1] [--strategy mutex-wrap] [--timeout 600] [--dir DIR] [--keep]
//
// Each file is gofmt-clean Go: thousands of small functions and `--maps` package maps written by
// goroutines (one concurrent-map-write finding each). The first map is declared at the top and
// written near the end of the file, so its fix edits both ends; the others sit evenly in between,
// so with --maps the findings grow with the file. Runs `fix --format json` (a preview, nothing
// written) under GNU time with --max-file-size above the file size, and prints wall time, CPU
// time, peak RSS, the exit code and whether every map got its fix. The last line is a JSON summary
// for docs/BENCHMARKS.md. Needs the built CLI (dist/src/cli/main.js; GOMAPFIX_BENCH_CLI picks
// another build). `bigGoSource` is also used by test/fix-bigfile.test.ts.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = process.env.GOMAPFIX_BENCH_CLI ? resolve(process.env.GOMAPFIX_BENCH_CLI) : join(REPO, 'dist/src/cli/main.js');
const GNU_TIME = '/usr/bin/time';

const HEAD = `package big

import "sync"

var counts = map[int]int{}

`;

const TAIL = `// Run writes counts from several goroutines at once: the one race of the file.
func Run(n int) {
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			counts[i%7]++
		}(i)
	}
	wg.Wait()
}
`;

function filler(i) {
  return `// filler${i} sums a range; it touches no map.
func filler${i}(a, b int) int {
	s := 0
	for j := a; j < b; j++ {
		if j%3 == 0 {
			s += j * ${i % 97}
		} else {
			s -= j
		}
	}
	return s
}

`;
}

/** Another racy package map, with its goroutine writers: `racyMap(3)` declares counts3 and Run3. */
function racyMap(j) {
  return `var counts${j} = map[int]int{}

${TAIL.replaceAll('counts', `counts${j}`).replace('func Run(', `func Run${j}(`).replace('// Run writes', `// Run${j} writes`)}
`;
}

/**
 * A gofmt-clean Go file of about `bytes` bytes with `maps` racy package maps (see the header):
 * `counts` declared at the top and written at the end, the others spread evenly in between, so
 * the number of findings grows with the file.
 */
export function bigGoSource(bytes, maps = 1) {
  const parts = [HEAD];
  let size = HEAD.length + TAIL.length;
  const every = bytes / maps;
  let next = every;
  for (let i = 0, j = 1; size < bytes; i++) {
    const f = filler(i);
    parts.push(f);
    size += f.length;
    if (j < maps && size >= next) {
      const r = racyMap(j++);
      parts.push(r);
      size += r.length;
      next += every;
    }
  }
  parts.push(TAIL);
  return parts.join('');
}

function fail(message) {
  console.error(`bench/fix-bigfile: ${message}`);
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { sizes: [1, 5, 20], maps: 1, strategy: 'mutex-wrap', timeout: 600, dir: null, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => argv[++i] ?? fail(`${arg} needs a value`);
    if (arg === '--sizes') opts.sizes = value().split(',').map(Number);
    else if (arg === '--timeout') opts.timeout = Number(value());
    else if (arg === '--maps') opts.maps = Number(value());
    else if (arg === '--strategy') opts.strategy = value();
    else if (arg === '--dir') opts.dir = resolve(value());
    else if (arg === '--keep') opts.keep = true;
    else if (arg === '-h' || arg === '--help') {
      console.log('usage: node bench/fix-bigfile.mjs [--sizes 1,5,20] [--maps N] [--strategy ID] [--timeout SECONDS] [--dir DIR] [--keep]');
      process.exit(0);
    } else fail(`unknown argument ${arg}`);
  }
  if (opts.sizes.some((s) => !(s > 0))) fail('--sizes must be positive numbers of MB');
  if (!Number.isInteger(opts.maps) || opts.maps < 1) fail('--maps must be a positive integer');
  if (!(opts.timeout > 0)) fail('--timeout must be a positive number of seconds');
  return opts;
}

/** Runs `node CLI args` in cwd under GNU time and a timeout; wall, CPU, peak RSS, exit code, stdout. */
export function timed(args, cwd, timeoutSeconds) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(GNU_TIME, ['-f', 'GNUTIME %e %U %S %M', 'timeout', String(timeoutSeconds), process.execPath, CLI, ...args], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const m = /GNUTIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr ?? '');
  const stderr = (r.stderr ?? '').replace(/^.*GNUTIME.*$/m, '').trim();
  // GNU time reports "Command exited with non-zero status N"; timeout exits 124.
  const code = /non-zero status (\d+)/.exec(stderr)?.[1];
  return {
    wall: m ? Number(m[1]) : wall,
    cpu: m ? Number(m[2]) + Number(m[3]) : null,
    rssMB: m ? Math.round(Number(m[4]) / 1024) : null,
    exit: code ? Number(code) : (r.status ?? -1),
    timedOut: code === '124',
    stdout: r.stdout ?? '',
    stderr: stderr.replace(/^Command exited with non-zero status \d+$/m, '').trim(),
  };
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'gomapfix-bigfile-'));
  const summary = [];
  for (const mb of opts.sizes) {
    const sub = join(dir, `${mb}mb`);
    mkdirSync(sub, { recursive: true });
    const source = bigGoSource(mb * 1024 * 1024, opts.maps);
    writeFileSync(join(sub, 'go.mod'), 'module example.com/big\n\ngo 1.19\n');
    writeFileSync(join(sub, 'big.go'), source);
    const limit = String(source.length * 2);
    const r = timed(['fix', '--strategy', opts.strategy, '--format', 'json', '--max-file-size', limit, '.'], sub, opts.timeout);
    let plan = null;
    try {
      plan = JSON.parse(r.stdout);
    } catch {
      /* timed out or failed: no plan */
    }
    // Every map fixed: one fix per map, none declined or dropped.
    const fixes = plan ? plan.fixes.length : 0;
    const fixed = plan !== null && fixes === opts.maps && plan.findings.length === opts.maps && plan.conflicts.length === 0;
    const row = { mb, maps: opts.maps, bytes: source.length, wall: +r.wall.toFixed(2), cpu: r.cpu === null ? null : +r.cpu.toFixed(2), rssMB: r.rssMB, exit: r.exit, timedOut: r.timedOut, fixes, fixed };
    summary.push(row);
    const status = r.timedOut ? `did not finish in ${opts.timeout} s` : `exit ${r.exit}, ${fixes} of ${opts.maps} fixes${fixed ? '' : ' (MISSING FIXES)'}`;
    console.log(`${mb} MB (${source.length} bytes, ${opts.maps} racy maps): wall ${row.wall} s, CPU ${row.cpu ?? '?'} s, peak RSS ${r.rssMB ?? '?'} MB, ${status}`);
    if (!fixed && !r.timedOut && r.stderr) console.log(`  stderr: ${r.stderr.split('\n')[0]}`);
  }
  if (!opts.keep && !opts.dir) rmSync(dir, { recursive: true, force: true });
  console.log(JSON.stringify({ bench: 'fix-bigfile', node: process.version, summary }));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();

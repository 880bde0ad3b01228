#!/usr/bin/env node
// Benchmark: gomapfix scan vs. an ast-grep pattern search over a large Go tree
// (the Go standard library by default).
//
//   node bench/stdlib.mjs [--root /usr/share/go-1.19/src] [--runs 3] [--only gomapfix|ast-grep]
//
// Needs the built CLI (npm run build -> dist/src/cli/main.js) and the ast-grep
// devDependency (node_modules/.bin/ast-grep). Runs are interleaved
// (gomapfix, ast-grep, gomapfix, ...) so machine noise hits both alike.
// Wall time is measured here; peak RSS and CPU time (user + system, all processes)
// come from GNU time (`/usr/bin/time -f`) when installed, else RSS from polling
// /proc/<pid>/status (VmHWM) of the child and no CPU time. On a shared machine the CPU
// time is the steadier figure.
// The last line printed is a one-line JSON summary for docs/.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// GOMAPFIX_BENCH_CLI points at another build of the CLI.
const CLI = process.env.GOMAPFIX_BENCH_CLI ? resolve(process.env.GOMAPFIX_BENCH_CLI) : join(REPO, 'dist/src/cli/main.js');
const AST_GREP = join(REPO, 'node_modules/.bin/ast-grep');
const GNU_TIME = '/usr/bin/time';
const PATTERN = '$M[$K] = $V';

function fail(message) {
  console.error(`bench/stdlib: ${message}`);
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { root: '/usr/share/go-1.19/src', runs: 3, only: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) fail(`${flag} needs a value`);
      return v;
    };
    if (flag === '--root') opts.root = value();
    else if (flag === '--runs') {
      opts.runs = Number(value());
      if (!Number.isInteger(opts.runs) || opts.runs < 1) fail('--runs must be a positive integer');
    } else if (flag === '--only') {
      opts.only = value();
      if (opts.only !== 'gomapfix' && opts.only !== 'ast-grep') fail('--only must be gomapfix or ast-grep');
    } else if (flag === '-h' || flag === '--help') {
      console.log('usage: node bench/stdlib.mjs [--root DIR] [--runs N] [--only gomapfix|ast-grep]');
      process.exit(0);
    } else fail(`unknown argument ${arg}`);
  }
  opts.root = resolve(opts.root);
  return opts;
}

/** Number and total bytes of .go files under root (everything, testdata included). */
function countGoFiles(root) {
  let files = 0;
  let bytes = 0;
  const stack = [root];
  while (stack.length) {
    const dir = stack.pop();
    for (const ent of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, ent.name);
      if (ent.isDirectory()) stack.push(p);
      else if (ent.isFile() && ent.name.endsWith('.go')) {
        files++;
        bytes += statSync(p).size;
      }
    }
  }
  return { files, bytes };
}

/** Peak resident memory of a running process so far, in KiB (VmHWM), or 0. */
function readVmHWM(pid) {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

// GOMAPFIX_BENCH_NO_TIME=1 forces the /proc fallback.
const haveGnuTime = existsSync(GNU_TIME) && !process.env.GOMAPFIX_BENCH_NO_TIME;

/**
 * Runs cmd and measures it: { code, stdout, stderr, wallSec, peakRssKB, cpuSec, rssSource }.
 * With GNU time, %M is the child's max RSS (the largest process of its tree).
 */
function measure(cmd, args) {
  return new Promise((resolvePromise, reject) => {
    let timeDir = null;
    let file = cmd;
    let argv = args;
    if (haveGnuTime) {
      timeDir = mkdtempSync(join(tmpdir(), 'gomapfix-bench-'));
      file = GNU_TIME;
      argv = ['-f', '%e %M %U %S', '-o', join(timeDir, 'time.txt'), cmd, ...args];
    }
    const start = process.hrtime.bigint();
    const child = spawn(file, argv, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    // Fallback: poll the high-water mark of the child (and, through GNU time, of its child).
    let polled = 0;
    const poll = haveGnuTime
      ? null
      : setInterval(() => {
          polled = Math.max(polled, readVmHWM(child.pid));
        }, 20);
    child.on('error', (e) => {
      if (poll) clearInterval(poll);
      reject(e);
    });
    child.on('close', (code) => {
      const wallSec = Number(process.hrtime.bigint() - start) / 1e9;
      if (poll) clearInterval(poll);
      let peakRssKB = polled;
      let cpuSec = null;
      let rssSource = 'proc-VmHWM-poll';
      if (timeDir) {
        try {
          const lines = readFileSync(join(timeDir, 'time.txt'), 'utf8').trim().split('\n');
          const last = lines[lines.length - 1].trim().split(/\s+/);
          peakRssKB = Number(last[1]) || 0;
          if (last.length >= 4) cpuSec = Number(last[2]) + Number(last[3]);
          rssSource = 'gnu-time';
        } catch {
          rssSource = 'unavailable';
        }
        rmSync(timeDir, { recursive: true, force: true });
      }
      resolvePromise({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        wallSec,
        peakRssKB,
        cpuSec,
        rssSource,
      });
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const mb = (kb) => round(kb / 1024, 1);

const TOOLS = {
  gomapfix: {
    cmd: process.execPath,
    args: (root) => [CLI, 'scan', root, '--format', 'json'],
    check() {
      if (!existsSync(CLI)) fail(`${CLI} not found: run \`npm run build\` first`);
    },
    parse(run) {
      if (run.code !== 0 && run.code !== 1) {
        fail(`gomapfix exited ${run.code}: ${run.stderr.trim().split('\n')[0] ?? ''}`);
      }
      let report;
      try {
        report = JSON.parse(run.stdout);
      } catch (e) {
        fail(`gomapfix printed no JSON report (${e.message})`);
      }
      const byRule = {};
      for (const f of report.findings ?? []) byRule[f.rule] = (byRule[f.rule] ?? 0) + 1;
      return {
        findings: (report.findings ?? []).length,
        byRule: Object.fromEntries(Object.entries(byRule).sort()),
        parseErrors: (report.errors ?? []).length,
      };
    },
  },
  'ast-grep': {
    cmd: AST_GREP,
    // Same file set as gomapfix's discovery: testdata/ and vendor/ are skipped.
    args: (root) => [
      'run',
      '-p',
      PATTERN,
      '-l',
      'go',
      '--json=stream',
      '--globs',
      '!**/testdata/**',
      '--globs',
      '!**/vendor/**',
      root,
    ],
    check() {
      if (!existsSync(AST_GREP)) fail(`${AST_GREP} not found: run \`npm ci\` first`);
    },
    parse(run) {
      if (run.code !== 0 && run.code !== 1) {
        fail(`ast-grep exited ${run.code}: ${run.stderr.trim().split('\n')[0] ?? ''}`);
      }
      const matches = run.stdout.split('\n').filter((l) => l.trim() !== '').length;
      return { matches };
    },
  },
};

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(opts.root) || !statSync(opts.root).isDirectory()) fail(`root ${opts.root} does not exist`);
  const tools = opts.only ? [opts.only] : ['gomapfix', 'ast-grep'];
  for (const t of tools) TOOLS[t].check();

  const { files, bytes } = countGoFiles(opts.root);
  console.log(`root: ${opts.root}`);
  console.log(`.go files: ${files} (${round(bytes / 1024 / 1024, 1)} MB, testdata included)`);
  console.log(`runs: ${opts.runs} each, interleaved; cpus: ${availableParallelism()}; node ${process.version}`);
  console.log(`peak RSS via: ${haveGnuTime ? 'GNU time (%M)' : '/proc/<pid>/status VmHWM polling'}`);
  for (const t of tools) {
    console.log(`$ ${[TOOLS[t].cmd, ...TOOLS[t].args(opts.root)].map((a) => (/[\s$!*]/.test(a) ? `'${a}'` : a)).join(' ')}`);
  }

  const results = Object.fromEntries(tools.map((t) => [t, { wall: [], rss: [], cpu: [], parsed: [] }]));
  for (let i = 1; i <= opts.runs; i++) {
    for (const t of tools) {
      const run = await measure(TOOLS[t].cmd, TOOLS[t].args(opts.root));
      const parsed = TOOLS[t].parse(run);
      results[t].wall.push(run.wallSec);
      results[t].rss.push(run.peakRssKB);
      if (run.cpuSec !== null) results[t].cpu.push(run.cpuSec);
      results[t].parsed.push(parsed);
      const cpu = run.cpuSec === null ? '' : `  cpu ${run.cpuSec.toFixed(2)} s`;
      console.log(`  run ${i} ${t.padEnd(8)} ${run.wallSec.toFixed(2)} s${cpu}  ${mb(run.peakRssKB)} MB  ${JSON.stringify(parsed)}`);
    }
  }

  const summary = {
    bench: 'stdlib',
    root: opts.root,
    goFiles: files,
    goMB: round(bytes / 1024 / 1024, 1),
    runs: opts.runs,
    cpus: availableParallelism(),
    node: process.version,
    rssSource: haveGnuTime ? 'gnu-time' : 'proc-VmHWM-poll',
  };
  console.log('');
  if (results.gomapfix) {
    const r = results.gomapfix;
    const last = r.parsed[r.parsed.length - 1];
    const stable = r.parsed.every((p) => JSON.stringify(p) === JSON.stringify(last));
    console.log(`gomapfix findings: ${last.findings}${stable ? '' : ' (WARNING: differs between runs)'}`);
    for (const [rule, n] of Object.entries(last.byRule)) console.log(`  ${rule}: ${n}`);
    console.log(`gomapfix parse errors: ${last.parseErrors}`);
    console.log(`gomapfix median wall: ${median(r.wall).toFixed(2)} s, peak RSS: ${mb(Math.max(...r.rss))} MB${r.cpu.length ? `, median CPU: ${median(r.cpu).toFixed(2)} s` : ''}`);
    summary.gomapfix = {
      medianSec: round(median(r.wall)),
      wallSec: r.wall.map((x) => round(x)),
      peakRssMB: mb(Math.max(...r.rss)),
      ...(r.cpu.length ? { medianCpuSec: round(median(r.cpu)) } : {}),
      findings: last.findings,
      byRule: last.byRule,
      parseErrors: last.parseErrors,
      stable,
    };
  }
  if (results['ast-grep']) {
    const r = results['ast-grep'];
    const last = r.parsed[r.parsed.length - 1];
    console.log(`ast-grep '${PATTERN}' matches: ${last.matches}`);
    console.log(`ast-grep median wall: ${median(r.wall).toFixed(2)} s, peak RSS: ${mb(Math.max(...r.rss))} MB${r.cpu.length ? `, median CPU: ${median(r.cpu).toFixed(2)} s` : ''}`);
    summary.astGrep = {
      pattern: PATTERN,
      medianSec: round(median(r.wall)),
      wallSec: r.wall.map((x) => round(x)),
      peakRssMB: mb(Math.max(...r.rss)),
      ...(r.cpu.length ? { medianCpuSec: round(median(r.cpu)) } : {}),
      matches: last.matches,
    };
  }
  if (summary.gomapfix && summary.astGrep) {
    summary.ratio = round(median(results.gomapfix.wall) / median(results['ast-grep'].wall));
    console.log(`ratio gomapfix/ast-grep (median wall): ${summary.ratio}`);
  }
  console.log(JSON.stringify(summary));
}

main().catch((e) => fail(e && e.message ? e.message : String(e)));

#!/usr/bin/env node
// Real-code corpus: runs `gomapfix scan` over pinned checkouts of open-source Go
// servers (bench/realworld-corpus.json) and writes the figures for
// docs/precision-realworld.md.
//
//   node bench/realworld.mjs --corpus /work/corpus/realworld [--out FILE.json] [--only NAME,...]
//                            [--sample N --seed S] [--confidence high] [--no-nice]
//   node bench/realworld.mjs --fetch-help      how to rebuild the corpus
//
// Needs the built CLI (dist/src/cli/main.js). Repositories are scanned one at a
// time under `nice -n 10` (the machine is shared); wall time and peak RSS come
// from GNU time (`/usr/bin/time -f`). Files and lines are counted over the file
// set the scan itself discovers (src/files/discover.ts, imported from dist/),
// minus generated files, which the analysis skips too.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = process.env.GOMAPFIX_BENCH_CLI ? resolve(process.env.GOMAPFIX_BENCH_CLI) : join(REPO, 'dist/src/cli/main.js');
const DISCOVER = join(dirname(dirname(CLI)), 'files/discover.js');
const MANIFEST = join(REPO, 'bench/realworld-corpus.json');
const GNU_TIME = '/usr/bin/time';
// The same test as src/analysis/analyze.ts: generated files are not analysed, so not counted.
const GENERATED = /^\/\/ Code generated .* DO NOT EDIT\.\r?$/m;
// A checkout made with `git archive` has no .git; the rebuild step writes the commit here.
const COMMIT_FILE = '.corpus-commit';
/** Set from --confidence: which findings the scans keep. */
let scanConfidence = 'all';

function fail(message) {
  console.error(`bench/realworld: ${message}`);
  process.exit(2);
}

const USAGE =
  'usage: node bench/realworld.mjs --corpus DIR [--out FILE.json] [--only NAME,...] [--sample N --seed S] [--no-nice] | --fetch-help';

function parseArgs(argv) {
  const opts = { corpus: null, out: null, only: null, sample: 0, seed: 1, nice: true, fetchHelp: false, confidence: 'all' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) fail(`${flag} needs a value`);
      return v;
    };
    const count = (name) => {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 0) fail(`${name} must be a non-negative integer`);
      return n;
    };
    if (flag === '--corpus') opts.corpus = resolve(value());
    else if (flag === '--out') opts.out = resolve(value());
    else if (flag === '--only') opts.only = value().split(',').filter(Boolean);
    else if (flag === '--sample') opts.sample = count('--sample');
    else if (flag === '--seed') opts.seed = count('--seed');
    else if (flag === '--no-nice') opts.nice = false;
    else if (flag === '--confidence') {
      opts.confidence = value();
      if (!['all', 'high'].includes(opts.confidence)) fail('--confidence takes all or high');
    }
    else if (flag === '--fetch-help') opts.fetchHelp = true;
    else if (flag === '-h' || flag === '--help') {
      console.log(USAGE);
      process.exit(0);
    } else fail(`unknown argument ${arg}`);
  }
  if (!opts.fetchHelp && !opts.corpus) fail(`--corpus is required\n${USAGE}`);
  return opts;
}

function loadManifest() {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(MANIFEST, 'utf8'));
  } catch (e) {
    fail(`cannot read ${relative(process.cwd(), MANIFEST)}: ${e.message}`);
  }
  for (const r of manifest.repositories ?? []) {
    if (!r.name || !r.repository || !/^[0-9a-f]{40}$/.test(r.commit ?? '')) fail(`manifest entry ${JSON.stringify(r.name)} needs name, repository and a 40-hex commit`);
  }
  return manifest;
}

/** Shell lines that rebuild the corpus from the manifest (fetching is outside this script). */
function fetchHelp(manifest) {
  const lines = [
    '# Rebuild the real-code corpus (one directory per repository, outside the gomapfix repository).',
    '# Any way of getting the tree at the pinned commit works; the commit check reads .git or .corpus-commit.',
    'CORPUS=/work/corpus/realworld',
  ];
  for (const r of manifest.repositories) {
    lines.push(
      `git clone --filter=blob:none --no-checkout https://github.com/${r.repository} $CORPUS/${r.name} && git -C $CORPUS/${r.name} checkout ${r.commit}`,
    );
  }
  return lines.join('\n');
}

/** The commit a checkout is at, or null when it cannot tell. */
function checkoutCommit(dir) {
  const file = join(dir, COMMIT_FILE);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  if (!existsSync(join(dir, '.git'))) return null;
  return new Promise((done) => {
    const git = spawn('git', ['-C', dir, 'rev-parse', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    git.stdout.on('data', (d) => (out += d));
    git.on('close', (code) => done(code === 0 ? out.trim() : null));
    git.on('error', () => done(null));
  });
}

/** Go files and lines the scan sees, split into non-test and _test.go. */
async function countSource(dir, subpaths) {
  const { discover, DEFAULT_MAX_FILE_SIZE } = await import(pathToFileURL(DISCOVER).href);
  const found = discover(subpaths, { cwd: dir, maxFileSize: DEFAULT_MAX_FILE_SIZE });
  const c = { files: 0, lines: 0, testFiles: 0, testLines: 0, generatedFiles: 0 };
  for (const pkg of found.dirs) {
    for (const file of pkg.files) {
      const text = readFileSync(file, 'utf8');
      if (GENERATED.test(text)) {
        c.generatedFiles++;
        continue;
      }
      const lines = text.length === 0 ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
      if (file.endsWith('_test.go')) {
        c.testFiles++;
        c.testLines += lines;
      } else {
        c.files++;
        c.lines += lines;
      }
    }
  }
  return c;
}

/** Runs the scan under GNU time: { code, stdout, stderr, wallSec, peakRssKB, cpuSec }. */
function measureScan(dir, subpaths, nice) {
  if (!existsSync(GNU_TIME)) fail(`${GNU_TIME} (GNU time) is needed for peak memory`);
  const timeDir = mkdtempSync(join(tmpdir(), 'gomapfix-realworld-'));
  const timeFile = join(timeDir, 'time.txt');
  // `--confidence high`: the findings a user of `scan --confidence high` sees (docs/confidence.md).
  const scan = [process.execPath, CLI, 'scan', ...subpaths, '--format', 'json', ...(scanConfidence === 'high' ? ['--confidence', 'high'] : [])];
  const argv = ['-f', '%e %M %U %S', '-o', timeFile, ...(nice ? ['nice', '-n', '10'] : []), ...scan];
  return new Promise((done, reject) => {
    const child = spawn(GNU_TIME, argv, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => {
      const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop().trim().split(/\s+/);
      rmSync(timeDir, { recursive: true, force: true });
      done({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        wallSec: Number(last[0]),
        peakRssKB: Number(last[1]),
        cpuSec: Number(last[2]) + Number(last[3]),
      });
    });
  });
}

const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/** mulberry32: a small seeded PRNG, so a sample is the same on every machine. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hashName(name) {
  let h = 2166136261;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return h;
}

/**
 * n findings spread over rules: each rule's findings shuffled with a PRNG seeded by
 * (seed, repository name), then taken round-robin over the rules in id order.
 */
function sampleFindings(findings, n, seed, name) {
  const random = prng(seed ^ hashName(name));
  const byRule = new Map();
  for (const f of [...findings].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.rule.localeCompare(b.rule))) {
    if (!byRule.has(f.rule)) byRule.set(f.rule, []);
    byRule.get(f.rule).push(f);
  }
  const queues = [...byRule.keys()].sort().map((rule) => {
    const list = byRule.get(rule);
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [list[i], list[j]] = [list[j], list[i]];
    }
    return list;
  });
  const picked = [];
  while (picked.length < n && queues.some((q) => q.length)) {
    for (const q of queues) if (q.length && picked.length < n) picked.push(q.shift());
  }
  return picked;
}

async function measureRepository(entry, corpus, nice) {
  const dir = join(corpus, entry.name);
  if (!existsSync(dir)) fail(`${dir} does not exist: see node bench/realworld.mjs --fetch-help`);
  const commit = await checkoutCommit(dir);
  if (commit !== null && commit !== entry.commit) fail(`${entry.name} is at ${commit}, the manifest pins ${entry.commit}`);
  const subpaths = entry.subpaths?.length ? entry.subpaths : ['.'];
  const source = await countSource(dir, subpaths);
  console.error(`bench/realworld: scanning ${entry.name} (${source.files + source.testFiles} files)…`);
  const run = await measureScan(dir, subpaths, nice);
  if (run.code !== 0 && run.code !== 1) fail(`gomapfix exited ${run.code} on ${entry.name}: ${run.stderr.trim().split('\n')[0] ?? ''}`);
  let report;
  try {
    report = JSON.parse(run.stdout);
  } catch (e) {
    fail(`gomapfix printed no JSON report for ${entry.name} (${e.message})`);
  }
  const findings = report.findings ?? [];
  const byRule = {};
  for (const f of findings) byRule[f.rule] = (byRule[f.rule] ?? 0) + 1;
  const allLines = source.lines + source.testLines;
  return {
    result: {
      name: entry.name,
      repository: entry.repository,
      commit: entry.commit,
      commitVerified: commit !== null,
      subpaths,
      ...source,
      findings: findings.length,
      byRule: Object.fromEntries(Object.entries(byRule).sort()),
      per10kLines: allLines ? round((findings.length * 10000) / allLines) : 0,
      inTestFiles: findings.filter((f) => f.file.endsWith('_test.go')).length,
      lowConfidence: findings.filter((f) => f.confidence === 'low').length,
      // Files the scan reported as unreadable or unparsable: their maps are not analysed.
      parseErrors: (report.errors ?? []).length,
      skipped: (report.skipped ?? []).length,
      wallSec: round(run.wallSec, 1),
      cpuSec: round(run.cpuSec, 1),
      peakRssMB: round(run.peakRssKB / 1024, 0),
      // Stable ids (DESIGN: hash of rule, file, map, position): comparing two runs' lists
      // shows which findings a change removed or added.
      findingIds: findings.map((f) => f.id).sort(),
    },
    findings,
  };
}

function markdownTable(results) {
  const rules = [...new Set(results.flatMap((r) => Object.keys(r.byRule)))].sort();
  const short = { 'concurrent-map-write': 'cmw', 'unguarded-map-access': 'uma', 'map-escapes-lock': 'mel', 'map-mutated-during-range': 'mmdr' };
  const head = ['repository', 'files (test)', 'lines (test)', 'findings', ...rules.map((r) => short[r] ?? r), 'per 10k lines', 'in _test.go', 'not parsed', 'wall s', 'CPU s', 'peak RSS MB'];
  const rows = results.map((r) => [
    r.name,
    `${r.files} (${r.testFiles})`,
    `${r.lines} (${r.testLines})`,
    r.findings,
    ...rules.map((rule) => r.byRule[rule] ?? 0),
    r.per10kLines,
    r.inTestFiles,
    r.parseErrors,
    r.wallSec,
    r.cpuSec,
    r.peakRssMB,
  ]);
  const sum = (k) => results.reduce((n, r) => n + r[k], 0);
  const lines = sum('lines') + sum('testLines');
  rows.push([
    '**total**',
    `${sum('files')} (${sum('testFiles')})`,
    `${sum('lines')} (${sum('testLines')})`,
    sum('findings'),
    ...rules.map((rule) => results.reduce((n, r) => n + (r.byRule[rule] ?? 0), 0)),
    lines ? round((sum('findings') * 10000) / lines) : 0,
    sum('inTestFiles'),
    sum('parseErrors'),
    round(sum('wallSec'), 1),
    round(sum('cpuSec'), 1),
    Math.max(...results.map((r) => r.peakRssMB)),
  ]);
  return [head, head.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

function printSample(name, picked, dir) {
  console.log(`\n### ${name}: ${picked.length} sampled findings\n`);
  picked.forEach((f, i) => {
    const file = relative(dir, resolve(dir, f.file)) || f.file;
    console.log(`${i + 1}. \`${file}:${f.line}\` ${f.rule} [${f.id}]: ${f.message}`);
    for (const e of f.evidence ?? []) if (e.kind !== 'access') console.log(`   - ${e.kind}: ${e.message} (${e.file ? relative(dir, resolve(dir, e.file)) : '?'}:${e.line})`);
  });
}

/** The sample without evidence lists (one nats-server finding names 200+ contexts). */
function slimSamples(samples) {
  return Object.fromEntries(
    Object.entries(samples).map(([name, picked]) => [
      name,
      picked.map(({ id, rule, file, line, message, map, confidence }) => ({ id, rule, file, line, message, map, confidence })),
    ]),
  );
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  scanConfidence = opts.confidence;
  const manifest = loadManifest();
  if (opts.fetchHelp) {
    console.log(fetchHelp(manifest));
    return;
  }
  if (!existsSync(CLI)) fail(`${CLI} not found: run \`npx tsc -p tsconfig.json\` first`);
  if (!existsSync(opts.corpus)) fail(`${opts.corpus} does not exist: see node bench/realworld.mjs --fetch-help`);
  const entries = manifest.repositories.filter((r) => !opts.only || opts.only.includes(r.name));
  if (opts.only) for (const n of opts.only) if (!entries.some((e) => e.name === n)) fail(`--only: ${n} is not in the manifest`);
  const loadBefore = loadavg()[0];
  const results = [];
  const samples = {};
  for (const entry of entries) {
    const { result, findings } = await measureRepository(entry, opts.corpus, opts.nice);
    results.push(result);
    if (opts.sample > 0) samples[entry.name] = sampleFindings(findings, opts.sample, opts.seed, entry.name);
  }
  console.log(markdownTable(results));
  for (const [name, picked] of Object.entries(samples)) printSample(name, picked, join(opts.corpus, name));
  if (opts.out) {
    const summary = {
      measuredAt: new Date().toISOString(),
      gomapfixCommit: await checkoutCommit(REPO),
      node: process.version,
      loadAverageAtStart: round(loadBefore, 1),
      niced: opts.nice,
      confidence: opts.confidence,
      repositories: results,
      ...(opts.sample > 0 ? { sample: { perRepository: opts.sample, seed: opts.seed, findings: slimSamples(samples) } } : {}),
    };
    writeFileSync(opts.out, `${JSON.stringify(summary, null, 2)}\n`);
    console.error(`bench/realworld: wrote ${relative(process.cwd(), opts.out)}`);
  }
}

main().catch((e) => fail(e?.message ?? String(e)));

#!/usr/bin/env node
// Recall on published map-race fixes (docs/recall-realworld.md): for each case of
// docs/recall-realworld.json, the package directory of the racy file at the fix's parent commit
// (its .go files, not recursive, and the go.mod files on its path) is extracted from a full git
// mirror of the repository and scanned alone with the defaults. Found: a finding names the map, or
// a finding or its evidence is on a racy line.
//
//   node bench/recall.mjs --mirrors DIR [--work DIR] [--out FILE]
//
// --mirrors: one git directory per repository, named <owner>+<name>/repo (as the sandbox's fetch
// writes them) or <owner>+<name>.git. GOMAPFIX_BENCH_CLI picks the CLI (default dist/src/cli/main.js).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : dflt;
};
const mirrors = opt('--mirrors', null);
if (!mirrors) {
  process.stderr.write('usage: node bench/recall.mjs --mirrors DIR [--work DIR] [--out FILE]\n');
  process.exit(2);
}
const work = opt('--work', '/tmp/gomapfix-recall');
const out = opt('--out', null);
const cli = process.env.GOMAPFIX_BENCH_CLI ?? join(ROOT, 'dist/src/cli/main.js');
const { cases } = JSON.parse(readFileSync(join(ROOT, 'docs/recall-realworld.json'), 'utf8'));
const repos = new Map(JSON.parse(readFileSync(join(ROOT, 'bench/realworld-corpus.json'), 'utf8')).repositories.map((r) => [r.name, r.repository]));

function gitDir(repo) {
  const base = repos.get(repo)?.replace('/', '+');
  for (const d of [join(mirrors, base, 'repo'), join(mirrors, `${base}.git`)]) if (existsSync(d)) return d;
  throw new Error(`no mirror of ${repos.get(repo) ?? repo} under ${mirrors}`);
}

function extract(c) {
  const dir = join(work, c.id);
  if (existsSync(dir)) return dir;
  const git = gitDir(c.repo);
  const listed = execFileSync('git', ['--git-dir', git, 'ls-tree', '--name-only', c.parent, `${c.package_dir}/`], { encoding: 'utf8' }).split('\n').filter((f) => f.endsWith('.go'));
  const parts = c.package_dir.split('/');
  const mods = parts.map((_, i) => [...parts.slice(0, i), 'go.mod'].join('/')).concat(`${c.package_dir}/go.mod`);
  for (const f of [...listed, ...mods]) {
    const r = spawnSync('git', ['--git-dir', git, 'show', `${c.parent}:${f}`], { maxBuffer: 64 << 20 });
    if (r.status !== 0) continue;
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    writeFileSync(join(dir, f), r.stdout);
  }
  return dir;
}

const results = [];
for (const c of cases) {
  const dir = extract(c);
  const r = spawnSync(process.execPath, [cli, 'scan', '--format', 'json', c.package_dir], { cwd: dir, encoding: 'utf8', maxBuffer: 256 << 20 });
  let findings = [];
  try {
    findings = JSON.parse(r.stdout).findings;
  } catch {
    process.stderr.write(`${c.id}: scan failed: ${r.stderr.split('\n')[0]}\n`);
  }
  const names = c.map.split(',').map((n) => n.replace(/\s*\(.*?\)/g, '').trim()).filter(Boolean);
  const racy = new Set(c.lines.map((l) => `${c.file}:${l}`));
  const at = (f) => racy.has(`${f.file}:${f.line}`) || f.evidence.some((e) => racy.has(`${e.file}:${e.line}`));
  const naming = findings.filter((f) => names.includes(f.map.name) || at(f));
  const found = naming.length > 0;
  // Found at high confidence too: a finding naming the map that `--confidence high` keeps (docs/confidence.md).
  const foundHigh = naming.some((f) => f.confidence === 'high');
  results.push({ id: c.id, repo: c.repo, found, foundHigh, findings: findings.length });
}
const n = results.filter((r) => r.found).length;
const nHigh = results.filter((r) => r.foundHigh).length;
console.log(`found ${n}/${results.length} (at high confidence: ${nHigh}/${results.length})`);
for (const r of results) if (!r.found) console.log(`  missed ${r.id}`);
for (const r of results) if (r.found && !r.foundHigh) console.log(`  found at low confidence only ${r.id}`);
if (out) writeFileSync(out, `${JSON.stringify({ cli, found: n, foundHigh: nHigh, cases: results }, null, 1)}\n`);

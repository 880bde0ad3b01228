#!/usr/bin/env node
// Corpus measure: on how many Go files do tree-sitter and gofmt disagree about the syntax?
//
//   node bench/go-syntax-corpus.mjs [--root DIR]... [--gofmt BIN] [--examples N] [--json]
//
// Walks each root (default: Go 1.19's test tree, /usr/share/go-1.19/test) for *.go files and
// parses each file three ways: with the published tree-sitter-go 0.25 (the devDependency alias
// `tree-sitter-go-published`), with the fork in grammar/tree-sitter-go (the `tree-sitter-go`
// dependency), and with Go's own parser: the `gofmt` of the Go toolchain on PATH (--gofmt BIN to
// choose another). The wasm gofmt that gomapfix ships traps on long `+` chains, common in this
// corpus, so the real binary is the judge here. A disagreement is a file where
// tree-sitter reports an ERROR or MISSING node and gofmt accepts it ("tree-sitter rejects valid
// Go": the files gomapfix used to call "syntax error"), or the other way round ("tree-sitter
// accepts what gofmt rejects": mostly Go's errorcheck tests and top-level statements, which
// tree-sitter-go accepts on purpose). Figures go in docs/go-syntax-coverage.md.
import { createRequire } from 'node:module';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const require = createRequire(import.meta.url);
const Parser = require('tree-sitter');

function fail(message) {
  console.error(`bench/go-syntax-corpus: ${message}`);
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { roots: [], examples: 10, json: false, gofmt: 'gofmt' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--root') opts.roots.push(argv[++i] ?? fail('--root needs a directory'));
    else if (arg === '--examples') opts.examples = Number(argv[++i] ?? fail('--examples needs a number'));
    else if (arg === '--json') opts.json = true;
    else if (arg === '--gofmt') opts.gofmt = argv[++i] ?? fail('--gofmt needs a path');
    else fail(`unknown argument ${arg}`);
  }
  if (opts.roots.length === 0) opts.roots.push('/usr/share/go-1.19/test');
  return opts;
}

function goFiles(dir, out = []) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    fail(`cannot read ${dir}: ${err.message}`);
  }
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, e.name);
    if (e.isDirectory()) goFiles(path, out);
    else if (e.isFile() && e.name.endsWith('.go')) out.push(path);
  }
  return out;
}

function parserFor(pkg) {
  const parser = new Parser();
  parser.setLanguage(require(pkg));
  return parser;
}

// Same buffer rule as src/parse/parser.ts: the default is too small for large inputs.
function parse(parser, text) {
  return parser.parse(text, undefined, { bufferSize: Math.max(32 * 1024, text.length * 2 + 1024) });
}

function firstError(tree) {
  if (!tree.rootNode.hasError) return null;
  const find = (n) => {
    if (n.type === 'ERROR' || n.isMissing) return n;
    if (!n.hasError) return null;
    for (const c of n.children) {
      const hit = find(c);
      if (hit) return hit;
    }
    return null;
  };
  const hit = find(tree.rootNode);
  if (!hit) return '1:1';
  const snippet = hit.text.length <= 30 ? ` ${JSON.stringify(hit.text)}` : '';
  return `${hit.startPosition.row + 1}:${hit.startPosition.column + 1}${hit.isMissing ? ` missing ${hit.type}` : snippet}`;
}

// The files gofmt rejects: `gofmt -l` prints each syntax error as `path:line:col: message`.
function gofmtRejected(gofmt, paths) {
  const rejected = new Set();
  for (let i = 0; i < paths.length; i += 200) {
    const chunk = paths.slice(i, i + 200);
    const run = spawnSync(gofmt, ['-l', ...chunk], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (run.error) fail(`cannot run ${gofmt}: ${run.error.message}`);
    for (const p of chunk) if (run.stderr.includes(`${p}:`)) rejected.add(p);
  }
  return rejected;
}

const opts = parseArgs(process.argv.slice(2));
const grammars = { published: parserFor('tree-sitter-go-published'), fork: parserFor('tree-sitter-go') };
const tally = { files: 0, gofmtAccepts: 0, treeChanged: [] };
for (const g of Object.keys(grammars)) tally[g] = { rejectsValid: [], acceptsInvalid: [] };

for (const root of opts.roots) {
  const paths = goFiles(root);
  const rejected = gofmtRejected(opts.gofmt, paths);
  for (const path of paths) {
    const text = readFileSync(path, 'utf8');
    const rel = opts.roots.length === 1 ? relative(root, path) : path;
    const valid = !rejected.has(path);
    tally.files++;
    if (valid) tally.gofmtAccepts++;
    const trees = {};
    for (const [g, parser] of Object.entries(grammars)) {
      trees[g] = parse(parser, text);
      const err = firstError(trees[g]);
      if (err && valid) tally[g].rejectsValid.push(`${rel}:${err}`);
      if (!err && !valid) tally[g].acceptsInvalid.push(rel);
    }
    // The fork's changes are additive: a file the published grammar parses must keep its tree.
    if (!trees.published.rootNode.hasError && trees.published.rootNode.toString() !== trees.fork.rootNode.toString()) {
      tally.treeChanged.push(rel);
    }
  }
}

const summary = {
  roots: opts.roots,
  files: tally.files,
  gofmtAccepts: tally.gofmtAccepts,
  published: { rejectsValid: tally.published.rejectsValid.length, acceptsInvalid: tally.published.acceptsInvalid.length },
  fork: { rejectsValid: tally.fork.rejectsValid.length, acceptsInvalid: tally.fork.acceptsInvalid.length },
  treeChanged: tally.treeChanged.length,
};
if (opts.json) {
  console.log(JSON.stringify({ ...summary, treeChangedFiles: tally.treeChanged, acceptsInvalidFiles: tally.fork.acceptsInvalid, remaining: tally.fork.rejectsValid, fixed: tally.published.rejectsValid.filter((f) => !tally.fork.rejectsValid.some((r) => r.split(':')[0] === f.split(':')[0])) }, null, 1));
} else {
  console.log(`${tally.files} files under ${opts.roots.join(', ')}; gofmt accepts ${tally.gofmtAccepts}`);
  for (const g of Object.keys(grammars)) {
    console.log(`${g}: tree-sitter rejects valid Go in ${tally[g].rejectsValid.length} files; accepts what gofmt rejects in ${tally[g].acceptsInvalid.length}`);
  }
  console.log(`files the published grammar parses whose tree the fork changes: ${tally.treeChanged.length}`);
  for (const f of tally.treeChanged.slice(0, opts.examples)) console.log(`  ${f}`);
  console.log(`remaining (fork rejects, gofmt accepts), first ${opts.examples}:`);
  for (const f of tally.fork.rejectsValid.slice(0, opts.examples)) console.log(`  ${f}`);
  console.log(JSON.stringify(summary));
}

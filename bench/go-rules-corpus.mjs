// Counts the Go files gofmt's parser rejects but tree-sitter-go parses without an error node,
// before and after the Go-rule checks of src/parse/go-rules.ts, and the files the checks reject
// that gofmt accepts (false alarms). Usage (after `npx tsc -p tsconfig.json`):
//   node bench/go-rules-corpus.mjs [dir…]        default: /usr/share/go-1.19/test
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseGo, firstSyntaxProblem } from '../dist/src/parse/parser.js';
import { firstGoRuleProblem } from '../dist/src/parse/go-rules.js';

const roots = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['/usr/share/go-1.19/test'];
const verbose = process.env.VERBOSE === '1';

function* goFiles(dir) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) yield* goFiles(path);
    else if (name.endsWith('.go')) yield path;
  }
}

// Go's own parser: `gofmt -e -l` (first on PATH) over every file in one run; its first error per file.
// (The in-process @wasm-fmt/gofmt is not used here: one crash on a valid file poisons its instance.)
function gofmtErrors(files) {
  const errors = new Map();
  for (let i = 0; i < files.length; i += 500) {
    const run = spawnSync('gofmt', ['-e', '-l', ...files.slice(i, i + 500)], { encoding: 'utf8', maxBuffer: 1 << 28 });
    for (const line of run.stderr.split('\n')) {
      const m = /^(.*?\.go):(\d+:\d+: .*)$/.exec(line);
      if (m && !errors.has(m[1])) errors.set(m[1], m[2]);
    }
  }
  return errors;
}

const counts = { files: 0, gofmtRejects: 0, treeSitterMissedBefore: 0, treeSitterMissedAfter: 0, falseAlarms: 0 };
const remaining = [];
const alarms = [];
const ms = { parse: 0, rules: 0 };
for (const root of roots) {
  const files = [...goFiles(root)];
  const rejected = gofmtErrors(files);
  for (const path of files) {
    const text = readFileSync(path, 'utf8');
    counts.files++;
    const p0 = performance.now();
    const tree = parseGo(text);
    ms.parse += performance.now() - p0;
    const syntax = firstSyntaxProblem(tree);
    const t0 = performance.now();
    const rule = syntax ? null : firstGoRuleProblem(tree, text);
    ms.rules += performance.now() - t0;
    const gofmt = rejected.get(path) ?? null;
    const rel = relative(root, path);
    if (gofmt) counts.gofmtRejects++;
    if (gofmt && !syntax) counts.treeSitterMissedBefore++;
    if (gofmt && !syntax && !rule) {
      counts.treeSitterMissedAfter++;
      remaining.push(`${rel}: ${gofmt}`);
    }
    if (!gofmt && rule) {
      counts.falseAlarms++;
      alarms.push(`${rel}: ${rule.line}:${rule.column}: ${rule.message}`);
    }
    if (verbose && gofmt && !syntax && rule) console.log(`caught ${rel}: gofmt "${gofmt}" / ${rule.line}:${rule.column}: ${rule.message}`);
  }
}
console.log(JSON.stringify({ roots, ...counts, parseMs: Math.round(ms.parse), goRulesMs: Math.round(ms.rules) }, null, 1));
if (remaining.length > 0) console.log(`gofmt rejects, tree-sitter and the Go rules accept (${remaining.length}):\n  ${remaining.join('\n  ')}`);
if (alarms.length > 0) console.log(`the Go rules reject, gofmt accepts (${alarms.length}):\n  ${alarms.join('\n  ')}`);

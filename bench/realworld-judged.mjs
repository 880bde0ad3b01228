#!/usr/bin/env node
// Joins a realworld.mjs run (--out JSON with --sample) with the verdicts kept by stable finding id
// (docs/precision-realworld-verdicts.json) and prints, per repository: the sampled findings,
// how many carry a verdict (true / false / unsure), how many still need reading, and the precision
// true / (true + false) on the judged ones; then, over every judged id, which are gone.
//
//   node bench/realworld-judged.mjs RUN.json [VERDICTS.json]
import { readFileSync } from 'node:fs';

const [runPath, verdictsPath = new URL('../docs/precision-realworld-verdicts.json', import.meta.url).pathname] = process.argv.slice(2);
if (!runPath) {
  process.stderr.write('usage: node bench/realworld-judged.mjs RUN.json [VERDICTS.json]\n');
  process.exit(2);
}
const run = JSON.parse(readFileSync(runPath, 'utf8'));
const verdicts = JSON.parse(readFileSync(verdictsPath, 'utf8'));
if (!run.sample?.findings) {
  process.stderr.write(`${runPath} has no sample: run realworld.mjs with --sample N --seed S\n`);
  process.exit(2);
}

const pct = (t, f) => (t + f === 0 ? '—' : `${Math.round((100 * t) / (t + f))}%`);
const rows = [];
const total = { sampled: 0, true: 0, false: 0, unsure: 0, unjudged: 0 };
const unjudged = [];
for (const [repo, sampled] of Object.entries(run.sample.findings)) {
  const row = { sampled: sampled.length, true: 0, false: 0, unsure: 0, unjudged: 0 };
  for (const f of sampled) {
    // By stable id; else by location (file:line and rule), for verdicts recorded only in the tables.
    const v = (verdicts[repo]?.[f.id] ?? verdicts[repo]?.[`loc:${f.file}:${f.line}:${f.rule}`])?.verdict;
    if (v === 'true' || v === 'false' || v === 'unsure') row[v]++;
    else {
      row.unjudged++;
      unjudged.push(`${repo} ${f.id} ${f.file}:${f.line} ${f.rule}`);
    }
  }
  for (const k of Object.keys(total)) total[k] += row[k];
  rows.push(`| ${repo} | ${row.sampled} | ${row.true} | ${row.false} | ${row.unsure} | ${row.unjudged} | ${pct(row.true, row.false)} |`);
}
console.log(`commit ${run.gomapfixCommit ?? '?'}\n`);
console.log('| repository | sampled | true | false | unsure | not judged yet | precision (judged) |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) console.log(r);
console.log(`| **total** | ${total.sampled} | ${total.true} | ${total.false} | ${total.unsure} | ${total.unjudged} | ${pct(total.true, total.false)} |`);

// The sample by confidence (docs/confidence.md): what `--confidence high` keeps, and the rest.
const byConfidence = {};
for (const [repo, sampled] of Object.entries(run.sample.findings)) {
  for (const f of sampled) {
    const level = f.confidence ?? 'unknown';
    const row = (byConfidence[level] ??= { sampled: 0, true: 0, false: 0, unsure: 0, unjudged: 0 });
    const v = (verdicts[repo]?.[f.id] ?? verdicts[repo]?.[`loc:${f.file}:${f.line}:${f.rule}`])?.verdict;
    row.sampled++;
    if (v === 'true' || v === 'false' || v === 'unsure') row[v]++;
    else row.unjudged++;
  }
}
console.log('\n| confidence | sampled | true | false | unsure | not judged yet | precision (judged) |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const [level, r] of Object.entries(byConfidence).sort()) console.log(`| ${level} | ${r.sampled} | ${r.true} | ${r.false} | ${r.unsure} | ${r.unjudged} | ${pct(r.true, r.false)} |`);

// Every judged finding, sampled now or not: still reported, or gone?
const present = new Map((run.repositories ?? []).map((r) => [r.name, new Set(r.findingIds ?? [])]));
const fate = { true: [0, 0], false: [0, 0], unsure: [0, 0] };
const lostTrue = [];
for (const [repo, byId] of Object.entries(verdicts)) {
  const ids = present.get(repo);
  if (!ids) continue;
  for (const [id, v] of Object.entries(byId)) {
    if (!(v.verdict in fate) || id.startsWith('loc:')) continue;
    fate[v.verdict][ids.has(id) ? 0 : 1]++;
    if (v.verdict === 'true' && !ids.has(id)) lostTrue.push(`${repo} ${v.file}:${v.line}`);
  }
}
console.log('\n| verdict | still reported | gone |');
console.log('| --- | --- | --- |');
for (const [k, [still, gone]] of Object.entries(fate)) console.log(`| ${k} | ${still} | ${gone} |`);
if (lostTrue.length > 0) console.log(`\njudged true but gone: ${lostTrue.join(', ')}`);
if (unjudged.length > 0) console.log(`\nnot judged yet:\n${unjudged.join('\n')}`);

// The recorded session in docs/review.md: the screen after each key of a review of examples/demo,
// made by this test so it stays true. Regenerate it with
// `UPDATE_DOCS=1 npx vitest run test/review-doc.test.ts`.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO } from './helpers/cli.js';
import { ReviewDriver, copyOf } from './helpers/review-screen.js';

const DOC = join(REPO, 'docs', 'review.md');
const START = '<!-- recorded session: start -->';
const END = '<!-- recorded session: end -->';

const KEYS: { key: string | { type: string }; says: string }[] = [
  { key: '?', says: 'show the keys' },
  { key: 'y', says: 'accept the fix for Cache.items (nothing is written yet)' },
  { key: 'n', says: 'skip lastCheck; visitors needs review and is passed over (no --include-review)' },
  { key: 'i', says: 'ignore statuses: review asks why' },
  { key: { type: 'one request at a time in this deployment' }, says: 'the reason; the comment goes into the working copy' },
  { key: 'u', says: 'undo: statuses is asked again' },
  { key: 'n', says: 'skip statuses' },
  { key: 'y', says: 'accept the fix for sessions: the summary and the final question' },
  { key: 'enter', says: 'Enter takes the default, No: nothing is written, the decisions are kept' },
];

it('docs/review.md shows a real session of gomapfix review over examples/demo', async () => {
  const d = new ReviewDriver();
  await d.start({ cwd: copyOf(join(REPO, 'examples', 'demo')) });
  for (const k of KEYS) await d.press(k.key);
  await d.done;
  expect(d.code).toBe(1);
  const parts = [`\`gomapfix review\` in examples/demo (\`npm run review-demo\` without \`--include-review\`), no colour:`];
  d.steps.forEach((s, n) => {
    const what = n === 0 ? 'start' : `key \`${KEYS[n - 1]!.key === 'enter' ? 'Enter' : typeof KEYS[n - 1]!.key === 'string' ? KEYS[n - 1]!.key : `${(KEYS[n - 1]!.key as { type: string }).type}⏎`}\`: ${KEYS[n - 1]!.says}`;
    parts.push('', `#### ${what}`, '', '```text', s.screen.replace(/```/g, "'''"), '```');
  });
  const session = parts.join('\n');
  const doc = readFileSync(DOC, 'utf8');
  const i = doc.indexOf(START);
  const j = doc.indexOf(END);
  expect(i, `${DOC} needs the ${START} … ${END} markers`).toBeGreaterThanOrEqual(0);
  if (process.env.UPDATE_DOCS) writeFileSync(DOC, `${doc.slice(0, i + START.length)}\n${session}\n${doc.slice(j)}`);
  else expect(doc.slice(i + START.length, j).trim()).toBe(session.trim());
}, 60_000);

// --baseline FILE: finding ids recorded by an earlier run (its `scan --format json` output). See docs/baselines.md.
import { readFileSync } from 'node:fs';
import { UserError } from '../errors.js';
import { describeFsError } from '../files/discover.js';

/** The finding ids a baseline file records. */
export function readBaseline(file: string): Set<string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`--baseline ${file}: cannot read: ${describeFsError(err)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new UserError(`--baseline ${file}: not valid JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  const findings = (value as { findings?: unknown } | null)?.findings;
  if (typeof value !== 'object' || value === null || !Array.isArray(findings)) {
    throw new UserError(`--baseline ${file}: expected the output of gomapfix scan --format json (an object with a "findings" array)`);
  }
  const ids = new Set<string>();
  findings.forEach((f: unknown, i) => {
    const id = (f as { id?: unknown } | null)?.id;
    if (typeof id !== 'string' || id === '') throw new UserError(`--baseline ${file}: findings[${i}] has no "id" string`);
    ids.add(id);
  });
  return ids;
}

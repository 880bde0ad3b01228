// `.gomapfix/review.json`: every answer of a review, saved as it is given, so `--resume` can
// replay it. A decision is keyed by the finding ids of its map and the hash of the fix it saw:
// when the code (and so the fix) changed since, the map is asked again.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Choice } from '../../fix.js';
import { UserError } from '../../errors.js';

export type Answer = 'accept' | 'skip' | 'ignore' | 'edit';

export interface Decision {
  /** The ids of the map's findings (first scan). */
  findings: string[];
  map: string;
  file: string;
  answer: Answer;
  choice: Choice;
  /** Hash of the fix the answer was given to. */
  fixHash: string;
  /** The reason of an ignore comment. */
  reason?: string;
  /** The edited result of `e`: file path → full text. */
  edited?: Record<string, string>;
}

export interface DecisionsFile {
  version: 1;
  decisions: Decision[];
}

export const DECISIONS_FILE = join('.gomapfix', 'review.json');

/** The module root for the decisions: the nearest go.mod above the first path, else above the cwd. */
export function decisionsPath(paths: string[], cwd: string): string {
  for (const start of [resolve(cwd, paths[0] ?? '.'), cwd]) {
    for (let d = start; ; d = dirname(d)) {
      if (existsSync(join(d, 'go.mod'))) return join(d, DECISIONS_FILE);
      if (dirname(d) === d) break;
    }
  }
  return join(cwd, DECISIONS_FILE);
}

export function loadDecisions(file: string): DecisionsFile | null {
  if (!existsSync(file)) return null;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UserError(`${file} is not valid JSON (${(err as Error).message}); --reset starts over`);
  }
  const d = data as DecisionsFile;
  if (d?.version !== 1 || !Array.isArray(d.decisions)) throw new UserError(`${file} is not a gomapfix review file (version 1); --reset starts over`);
  return d;
}

/** Writes the decisions atomically (temp file, rename): an interrupted save keeps the previous one. */
export function saveDecisions(file: string, decisions: Decision[]): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ version: 1, decisions } satisfies DecisionsFile, null, 2) + '\n');
  renameSync(tmp, file);
}

export function removeDecisions(file: string): void {
  rmSync(file, { force: true });
}

/** The decision recorded for a map, by any of its finding ids. */
export function recordedFor(decisions: Decision[], findingIds: string[]): Decision | undefined {
  return decisions.find((d) => d.findings.some((id) => findingIds.includes(id)));
}

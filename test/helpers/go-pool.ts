// A small pool: at most JOBS go commands at once across the concurrently running tests of a file.
import { availableParallelism } from 'node:os';

/** Go processes running at once (CI has 2 cores). GOMAPFIX_GO_JOBS overrides. */
export const JOBS = Number(process.env.GOMAPFIX_GO_JOBS) || Math.max(1, Math.min(2, availableParallelism()));

let running = 0;
const waiting: Array<() => void> = [];

export async function withGoSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= JOBS) await new Promise<void>((resolve) => waiting.push(resolve));
  else running++;
  try {
    return await fn();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

// What each rule means, for formats that carry rule metadata (SARIF reportingDescriptors, rdjson codes).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { RuleId } from '../../analysis/model.js';

export interface RuleDoc {
  id: RuleId;
  /** One sentence: SARIF shortDescription. */
  summary: string;
  /** What is reported, why it matters and how to fix it: SARIF fullDescription and help. */
  help: string;
}

/** Every rule, in the order of RULE_IDS (test/formats.test.ts checks both lists and docs/rules.md agree). */
export const RULE_DOCS: readonly RuleDoc[] = [
  {
    id: 'concurrent-map-write',
    summary: 'A map is written by code that can run at the same time as another access of it, and no lock guards it.',
    help:
      'A write or delete in a goroutine or handler that can run alongside another access of the same map, with no lock held by both. ' +
      'Go maps are not safe for concurrent use: the runtime stops the program with "fatal error: concurrent map writes" (or "concurrent map read and map write"). ' +
      'Fix: guard the map with a sync.RWMutex (gomapfix fix --strategy mutex-wrap), or use sync.Map for write-once/read-many or disjoint-key use.',
  },
  {
    id: 'unguarded-map-access',
    summary: 'A map that a lock guards elsewhere is accessed here without that lock.',
    help:
      'The map is accessed under a lock in some places and without it here (inconsistent locking). The unguarded access races with the guarded ones. ' +
      'Fix: take the same lock (RLock for reads) around this access, as gomapfix fix does.',
  },
  {
    id: 'map-escapes-lock',
    summary: 'A lock-guarded map leaves the lock: returned, sent, stored or passed to a callback.',
    help:
      "The map is guarded by a lock, but a reference to it leaves the lock's protection (returned by a method, sent on a channel, stored elsewhere, passed to a callback), so its users read it without the lock while others write. " +
      'Fix: hand out a copy taken under the read lock (gomapfix fix --strategy snapshot-copy).',
  },
  {
    id: 'map-mutated-during-range',
    summary: 'A range over a map races with writes to it, or holds its lock while calling a callback that comes back to the map or the lock.',
    help:
      'A range over a shared map whose body deletes or inserts while other goroutines write; or a range that holds the map\'s lock while calling a callback ' +
      'that comes back to the map (a write under a read lock) or takes the lock again (a deadlock). With --hazards also: a lock held across a callback the ' +
      'package never shows, and single-goroutine code that inserts into the map it ranges over (the Go spec leaves undefined whether new keys are visited). ' +
      'Fix: collect the keys under the lock, work outside it, then apply the changes under the write lock (gomapfix fix --strategy collect-then-delete).',
  },
];

const PACKAGE_ROOT = findPackageRoot();

/**
 * Where a rule is documented: `<docs>/rules.md#<rule-id>` (a heading per rule in docs/rules.md).
 * `<docs>` is `<repository>/blob/main/docs` when package.json names a GitHub repository, otherwise
 * the docs/ directory installed with gomapfix as a file: URL (docs/formats.md).
 */
export function ruleDocUrl(rule: string): string {
  return `${docsBaseUrl()}/rules.md#${rule}`;
}

/** The page that describes gomapfix as a whole (SARIF informationUri, rdjson source.url). */
export function toolUrl(): string {
  const repo = githubRepository();
  return repo ? repo : pathToFileURL(join(PACKAGE_ROOT, 'README.md')).href;
}

function docsBaseUrl(): string {
  const repo = githubRepository();
  return repo ? `${repo}/blob/main/docs` : pathToFileURL(join(PACKAGE_ROOT, 'docs')).href;
}

let repository: string | null | undefined;

/** `https://github.com/owner/name` from package.json's `repository`, or null when it names none. */
function githubRepository(): string | null {
  if (repository !== undefined) return repository;
  repository = null;
  try {
    const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { repository?: string | { url?: string } };
    const raw = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
    const m = raw ? /github\.com[/:]([\w.-]+)\/([\w.-]+?)(?:\.git)?\/?$/.exec(raw) ?? /^github:([\w.-]+)\/([\w.-]+)$/.exec(raw) : null;
    if (m) repository = `https://github.com/${m[1]}/${m[2]}`;
  } catch {
    /* no package.json: file: URLs */
  }
  return repository;
}

/** The directory holding gomapfix's package.json (dist/src/cli/formats → the package root). */
function findPackageRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'gomapfix') return dir;
    } catch {
      /* keep climbing */
    }
    if (dirname(dir) === dir) return here;
  }
}

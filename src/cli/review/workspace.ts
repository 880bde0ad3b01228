// The review's working copy: the text of every file as the accepted decisions so far leave it
// (an overlay over the disk), and proposals planned on that text. Nothing here writes a file
// until `plannedFiles` is handed to the atomic package writer.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { planFixesWithKeys, sha256, type Choice, type FixOptions } from '../../fix.js';
import type { Conflict, Declined, Fix, Plan, PlannedFile } from '../../plan/model.js';
import type { JsonFinding } from '../../scan.js';
import { decodeGoSource } from '../../files/source.js';

/** One map: the findings about it get one decision. */
export interface MapGroup {
  key: string;
  /** The findings of the first scan, in report order. */
  findings: JsonFinding[];
  /** The package directory (absolute). */
  dir: string;
}

/** A file of a proposal: its text before (the working copy) and after the proposed fix. */
export interface ProposedFile {
  path: string;
  before: string;
  after: string;
  /** The file is not on disk and not yet in the working copy. */
  created: boolean;
}

export interface Proposal {
  group: MapGroup;
  choice: Choice;
  /** The fixes for the map's findings on the working copy (none when every one declined). */
  fixes: Fix[];
  declined: Declined[];
  conflicts: Conflict[];
  files: ProposedFile[];
  /** The findings of this map still reported on the working copy (none: an accepted fix resolved them). */
  current: JsonFinding[];
  /** Hash of the fix's content (the changed lines and their context, no line numbers). */
  hash: string;
}

/** A `--strategy` value (or one transform and style) as a choice. */
export function choiceOf(strategy: string, style?: 'inline' | 'wrapper'): Choice {
  return style ? { strategy, style } : { strategy };
}

export function choiceLabel(c: Choice): string {
  return c.strategy === 'mutex-wrap' ? `mutex-wrap (${c.style ?? 'inline'})` : c.strategy;
}

/** Every transform review offers under `a`, in a fixed order. */
export const ALTERNATIVES: Choice[] = [
  { strategy: 'auto' },
  { strategy: 'mutex-wrap', style: 'inline' },
  { strategy: 'mutex-wrap', style: 'wrapper' },
  { strategy: 'sync-map' },
  { strategy: 'snapshot-copy' },
  { strategy: 'collect-then-delete' },
];

export class ReviewWorkspace {
  /** Texts that differ from the disk, by absolute path. */
  overlay = new Map<string, string>();
  private disk = new Map<string, { text: string; bytes: Buffer; exists: boolean }>();

  constructor(
    readonly paths: string[],
    readonly cwd: string,
    private readonly base: Omit<FixOptions, 'cwd' | 'overlay' | 'onlyDirs' | 'choices' | 'strategy' | 'style'>,
  ) {}

  /** The first scan: every finding, grouped by map (no fix is planned). */
  scan(): { plan: Plan; groups: MapGroup[] } {
    const { plan, mapKeys } = planFixesWithKeys(this.paths, { ...this.base, cwd: this.cwd, choices: new Map() });
    const groups = new Map<string, MapGroup>();
    for (const f of plan.findings) {
      const key = mapKeys.get(f.id) ?? `${f.map.kind}|${f.map.file}|${f.map.name}|@${f.map.line}`;
      const g = groups.get(key) ?? { key, findings: [], dir: dirname(resolve(this.cwd, f.file)) };
      g.findings.push(f);
      groups.set(key, g);
    }
    const at = (g: MapGroup) => g.findings[0]!;
    const order = [...groups.values()].sort((a, b) => (at(a).file < at(b).file ? -1 : at(a).file > at(b).file ? 1 : at(a).line - at(b).line));
    return { plan, groups: order };
  }

  /** The fix `choice` makes for a map, planned on the working copy. */
  propose(group: MapGroup, choice: Choice): Proposal {
    const { plan, mapKeys } = planFixesWithKeys(this.paths, {
      ...this.base,
      cwd: this.cwd,
      includeReview: true,
      overlay: this.overlay,
      onlyDirs: new Set([group.dir]),
      choices: new Map([[group.key, choice]]),
    });
    const current = plan.findings.filter((f) => mapKeys.get(f.id) === group.key);
    const files = plan.files.map((f) => {
      const abs = resolve(this.cwd, f.path);
      return { path: f.path, before: f.before, after: f.after, created: !this.overlay.has(abs) && !this.onDisk(abs).exists };
    });
    // A package with a file that could not be analysed declines every map of it: keep this map's.
    const ours = (x: { findingId: string }) => mapKeys.get(x.findingId) === group.key;
    return { group, choice, fixes: plan.fixes, declined: plan.declined.filter(ours), conflicts: plan.conflicts.filter(ours), files, current, hash: contentHash(choice, files) };
  }

  /** Takes a proposal's (or an edited) result into the working copy. */
  apply(files: { path: string; after: string }[]): void {
    for (const f of files) {
      const abs = resolve(this.cwd, f.path);
      const disk = this.onDisk(abs);
      if (disk.exists && disk.text === f.after) this.overlay.delete(abs);
      else this.overlay.set(abs, f.after);
    }
  }

  /** The working copy's text of a file. */
  text(path: string): string {
    const abs = resolve(this.cwd, path);
    return this.overlay.get(abs) ?? this.onDisk(abs).text;
  }

  snapshot(): Map<string, string> {
    return new Map(this.overlay);
  }

  restore(s: Map<string, string>): void {
    this.overlay = new Map(s);
  }

  /** The files to write: disk text before, working copy after, hashed as read at the start. */
  plannedFiles(): PlannedFile[] {
    return [...this.overlay].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([abs, after]) => {
      const disk = this.onDisk(abs);
      const path = relative(this.cwd, abs);
      return disk.exists ? { path, sha256: sha256(disk.bytes), before: disk.text, after, fixes: [] } : { path, sha256: '', before: '', after, fixes: [], created: true };
    });
  }

  /** The disk's text of a file, read once: what the write checks against. */
  private onDisk(abs: string): { text: string; bytes: Buffer; exists: boolean } {
    let d = this.disk.get(abs);
    if (!d) {
      if (existsSync(abs)) {
        const bytes = readFileSync(abs);
        const decoded = decodeGoSource(bytes);
        d = { text: decoded.ok ? decoded.source.text : '', bytes, exists: true };
      } else d = { text: '', bytes: Buffer.alloc(0), exists: false };
      this.disk.set(abs, d);
    }
    return d;
  }
}

/** The hunks of a file's change without their line numbers: equal for the same fix moved by edits above. */
export function changeLines(f: { path: string; before: string; after: string }): string {
  return createTwoFilesPatch(f.path, f.path, f.before, f.after, undefined, undefined, { context: 3 })
    .split('\n')
    .slice(4)
    .filter((l) => !l.startsWith('@@'))
    .join('\n');
}

function contentHash(choice: Choice, files: { path: string; before: string; after: string }[]): string {
  const h = createHash('sha256').update(`${choice.strategy}:${choice.style ?? ''}\n`);
  for (const f of files) h.update(`${f.path}\n${changeLines(f)}\n`);
  return h.digest('hex').slice(0, 16);
}

// `gomapfix pr`'s analysis: the change from git, the packages it touches at head, the findings in scope.
import { existsSync, statSync } from 'node:fs';
import { posix, resolve } from 'node:path';
import { planFixes, type FixOptions } from '../fix.js';
import { fixChoice, planOptions, runSettings } from '../cli/run-settings.js';
import type { Plan } from '../plan/model.js';
import type { JsonFinding } from '../scan.js';
import { fixChanges, type FixChanges } from '../cli/formats/fix-hunks.js';
import type { ChangedFile } from './diff.js';
import { actionsEvent, changeBetween, checkoutHead, commitOf, repositoryRoot, uncommitted } from './git.js';
import { inScope, type Scope } from './scope.js';
import { UserError } from '../errors.js';

export interface ChangeOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  base?: string;
  head?: string;
  scope: Scope;
  /** For `diff-context`: lines around an added line that count. */
  context: number;
  /** Passed to planFixes (strategy, tests, …); what is not given comes from the head's gomapfix.json. */
  fix?: Partial<Pick<FixOptions, 'strategy' | 'style' | 'tests' | 'allPlatforms' | 'maxFileSize'>>;
  /** `high`: comment only on high-confidence findings (else gomapfix.json's `confidence`). */
  confidence?: 'all' | 'high';
}

export interface ChangeAnalysis {
  /** The repository root (the user's work tree). */
  root: string;
  /** Where the head's files were read: `root`, or a temporary worktree until dispose(). Paths are relative to it. */
  headDir: string;
  /** Removes the temporary worktree, if one was made. */
  dispose(): void;
  baseSha: string;
  headSha: string;
  changed: ChangedFile[];
  /** Package directories analysed, relative to root ('.' for the root). */
  packages: string[];
  /** The Plan of those packages at head (every finding; review fixes included). */
  plan: Plan;
  /** The findings in scope, in report order. */
  findings: JsonFinding[];
  /** The fixes of those findings, as line hunks. */
  changes: FixChanges[];
  /** Said on stderr: uncommitted changes in the analysed files. */
  warnings: string[];
}

/**
 * Reads the change (`git diff --merge-base BASE HEAD`), analyses at head only the packages with a
 * changed Go file, and keeps the findings in scope. The head's files are the work tree when HEAD is
 * the head commit, else a temporary `git worktree` of it, removed by the result's dispose().
 */
export function analyseChange(options: ChangeOptions): ChangeAnalysis {
  const root = repositoryRoot(options.cwd);
  const event = actionsEvent(options.env);
  const baseRef = options.base ?? event.baseSha;
  if (!baseRef) throw new UserError('gomapfix pr needs the base of the change: pass --base REF (in a GitHub Actions pull_request run it comes from the event)');
  const headRef = options.head ?? event.headSha ?? 'HEAD';
  const baseSha = commitOf(root, baseRef, '--base');
  const headSha = commitOf(root, headRef, '--head');
  const changed = changeBetween(root, baseSha, headSha);
  const checkout = checkoutHead(root, headSha);
  let ok = false;
  try {
    const goFiles = changed.filter((c) => c.path.endsWith('.go'));
    const dirs = [...new Set(goFiles.map((c) => posix.dirname(c.path)))]
      .filter((d) => {
        const abs = resolve(checkout.dir, d);
        return existsSync(abs) && statSync(abs).isDirectory();
      })
      .sort();
    const warnings: string[] = [];
    if (!checkout.temporary) {
      const dirty = uncommitted(checkout.dir, goFiles.filter((c) => c.status !== 'deleted').map((c) => c.path));
      if (dirty.length > 0) warnings.push(`uncommitted changes in ${dirty.join(', ')}: the analysis reads the work tree, the comments are placed on the committed diff`);
    }
    // The head's gomapfix.json, as scan and fix read it: excluded files, rules off, tests, strategy.
    const settings = runSettings(dirs.length > 0 ? dirs : ['.'], checkout.dir, options.confidence ? { confidence: options.confidence } : {});
    const plan = dirs.length === 0 ? emptyPlan(checkout.dir) : planFixes(dirs, {
      ...planOptions(settings),
      ...options.fix,
      ...fixChoice(settings.config, options.fix?.strategy, options.fix?.style),
      cwd: checkout.dir,
      includeReview: true,
      onlyDirs: new Set(dirs.map((d) => resolve(checkout.dir, d))),
    });
    const byPath = new Map(changed.map((c) => [c.path, c]));
    const findings = plan.findings.filter((f) => inScope(f, byPath, options.scope, options.context));
    const ids = new Set(findings.map((f) => f.id));
    const changes = fixChanges(plan).filter((c) => c.fix.covers.some((id) => ids.has(id)) || ids.has(c.fix.findingId));
    ok = true;
    return { root, headDir: checkout.dir, dispose: () => checkout.dispose(), baseSha, headSha, changed, packages: dirs, plan, findings, changes, warnings };
  } finally {
    if (!ok) checkout.dispose();
  }
}

function emptyPlan(root: string): Plan {
  return { version: 1, root, findings: [], fixes: [], declined: [], conflicts: [], pending: [], files: [], errors: [], skipped: [], warnings: [], inputs: { files: 0, analysed: 0 } };
}

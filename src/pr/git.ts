// What `gomapfix pr` asks git: the refs of the change, its diff, and a checkout of the head revision.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { parseUnifiedDiff, type ChangedFile } from './diff.js';

/** The pull request the GitHub Actions event describes (GITHUB_EVENT_PATH), as far as it says. */
export interface ActionsEvent {
  baseSha?: string;
  headSha?: string;
  number?: number;
}

/** Reads GITHUB_EVENT_PATH's pull_request (pull_request and pull_request_target events); {} without one. */
export function actionsEvent(env: NodeJS.ProcessEnv): ActionsEvent {
  const path = env.GITHUB_EVENT_PATH;
  if (!path) return {};
  let event: { pull_request?: { number?: unknown; base?: { sha?: unknown }; head?: { sha?: unknown } }; number?: unknown };
  try {
    event = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UserError(`cannot read the GitHub event file GITHUB_EVENT_PATH=${path}: ${(err as Error).message}`);
  }
  const pr = event.pull_request;
  if (!pr) return {};
  return {
    ...(typeof pr.base?.sha === 'string' ? { baseSha: pr.base.sha } : {}),
    ...(typeof pr.head?.sha === 'string' ? { headSha: pr.head.sha } : {}),
    ...(typeof pr.number === 'number' ? { number: pr.number } : {}),
  };
}

export function git(cwd: string, args: string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) throw new UserError(`cannot run git: ${r.error.message}`);
  if (r.status !== 0) {
    const why = (r.stderr || r.stdout).trim().split('\n')[0] ?? '';
    throw new UserError(`git ${args.filter((a) => !a.startsWith('-')).slice(0, 3).join(' ')} failed: ${why}`);
  }
  return r.stdout;
}

/** The top of the git work tree around `cwd`; a clear error outside one. */
export function repositoryRoot(cwd: string): string {
  const r = spawnSync('git', ['rev-parse', '--show-toplevel'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0 || !r.stdout.trim()) throw new UserError(`gomapfix pr reads the change from git, and ${cwd} is not inside a git work tree`);
  return resolve(r.stdout.trim());
}

/** The commit a ref names; a clear error when it does not resolve (a shallow clone lacks it, say). */
export function commitOf(root: string, ref: string, flag: string): string {
  const r = spawnSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0 || !r.stdout.trim()) {
    throw new UserError(`${flag} ${ref} is not a commit of this repository${flag === '--base' ? ' (in GitHub Actions, check out with fetch-depth: 0 so the base commit is there)' : ''}`);
  }
  return r.stdout.trim();
}

/** `git diff --merge-base BASE HEAD`: what the pull request changes, as GitHub shows it (3 lines of context). */
export function changeBetween(root: string, base: string, head: string): ChangedFile[] {
  const text = git(root, ['-c', 'core.quotePath=true', 'diff', '--merge-base', '--no-color', '--no-ext-diff', '--unified=3', '-M', base, head, '--']);
  return parseUnifiedDiff(text);
}

/** Where the head revision's files are: the work tree when HEAD is the head commit, else a temporary `git worktree`. */
export interface HeadCheckout {
  dir: string;
  temporary: boolean;
  dispose(): void;
}

/**
 * The work tree itself when HEAD is `head` (CI checks out the head commit); otherwise a detached
 * temporary worktree of `head`, removed by dispose(), so the user's checkout is never touched.
 */
export function checkoutHead(root: string, head: string): HeadCheckout {
  const current = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim();
  if (current === head) return { dir: root, temporary: false, dispose: () => {} };
  const parent = mkdtempSync(join(tmpdir(), 'gomapfix-pr-'));
  const dir = join(parent, 'head');
  git(root, ['worktree', 'add', '--detach', '--quiet', dir, head]);
  return {
    dir,
    temporary: true,
    dispose: () => {
      spawnSync('git', ['worktree', 'remove', '--force', dir], { cwd: root, stdio: 'ignore' });
      rmSync(parent, { recursive: true, force: true });
      spawnSync('git', ['worktree', 'prune'], { cwd: root, stdio: 'ignore' });
    },
  };
}

/** Changed files of the work tree (uncommitted edits) among `paths`: a warning, since lines may not match the diff. */
export function uncommitted(root: string, paths: string[]): string[] {
  if (paths.length === 0) return [];
  const out = spawnSync('git', ['status', '--porcelain', '--', ...paths], { cwd: root, encoding: 'utf8' }).stdout ?? '';
  return out.split('\n').filter(Boolean).map((l) => l.slice(3));
}

// `gomapfix pr`: findings a pull request introduces or touches, as a GitHub review (printed or posted), rdjson or SARIF.
import { Command, Option } from 'commander';
import { UserError } from '../../errors.js';
import { STRATEGIES } from '../../fix.js';
import { analyseChange, type ChangeAnalysis } from '../../pr/analyse.js';
import { actionsEvent } from '../../pr/git.js';
import { GitHubClient, GitHubError } from '../../pr/github.js';
import { postReview } from '../../pr/post.js';
import { assembleReview, reviewItems } from '../../pr/review.js';
import { SCOPES, type Scope } from '../../pr/scope.js';
import { formatReport, type FormatContext, type FormatReport } from '../formats/index.js';
import { packageVersion } from '../version.js';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const PR_FORMATS = ['github-review', 'rdjson', 'sarif'] as const;

interface PrOptions {
  base?: string;
  head?: string;
  scope: Scope;
  context: number;
  format: (typeof PR_FORMATS)[number];
  post?: boolean;
  maxComments: number;
  repo?: string;
  pr?: number;
  strategy?: string;
  style?: 'inline' | 'wrapper';
  confidence?: 'all' | 'high';
}

export function prCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('pr')
    .description('review a pull request: the unsafe map use its change introduces or touches, with the fixes as GitHub suggestions')
    .option('--base <ref>', 'the base of the change (default: the pull request base of the GitHub Actions event)')
    .option('--head <ref>', 'the head of the change (default: the event\'s pull request head, else HEAD)')
    .addOption(new Option('--scope <scope>', 'which findings to keep: on an added line, within --context lines of one, in a changed file, or all of the changed packages').choices([...SCOPES]).default('added'))
    .option('--context <lines>', 'with --scope diff-context: how many lines around an added line count', count('--context', 0), 3)
    .addOption(new Option('--format <format>', 'what to print').choices([...PR_FORMATS]).default('github-review'))
    .option('--post', 'post the review on the pull request (GITHUB_TOKEN; repository and number from the Actions environment or --repo/--pr)')
    .option('--max-comments <n>', 'at most this many line comments per review; the rest are listed in its body', count('--max-comments', 0), 30)
    .option('--repo <owner/name>', 'the repository (default: GITHUB_REPOSITORY)')
    .option('--pr <number>', 'the pull request number (default: from GITHUB_EVENT_PATH)', count('--pr', 1))
    .addOption(new Option('--strategy <id>', 'transform to use for every finding (default: fix.strategy of gomapfix.json, else auto)').choices([...STRATEGIES]))
    .addOption(new Option('--style <style>', 'mutex-wrap style').choices(['inline', 'wrapper']))
    .addOption(new Option('--confidence <level>', "which findings to comment on: all (default), or only those of high confidence (docs/confidence.md)").choices(['all', 'high']))
    .action(async (opts: PrOptions) => {
      const env = process.env;
      // Checked before the analysis, so that a missing token fails at once.
      const target = opts.post ? postTarget(opts, env) : null;
      const analysis = analyseChange({
        cwd: process.cwd(),
        env,
        ...(opts.base ? { base: opts.base } : {}),
        ...(opts.head ? { head: opts.head } : {}),
        scope: opts.scope,
        context: opts.context,
        fix: { ...(opts.strategy ? { strategy: opts.strategy } : {}), ...(opts.style ? { style: opts.style } : {}) },
        ...(opts.confidence ? { confidence: opts.confidence } : {}),
      });
      try {
        for (const w of analysis.warnings) process.stderr.write(`gomapfix: warning: ${w}\n`);
        for (const w of analysis.plan.warnings) process.stderr.write(`gomapfix: warning: ${w.file ? `${w.file}: ` : ''}${w.message}\n`);
        for (const e of analysis.plan.errors) process.stderr.write(`gomapfix: ${e.file}: ${e.message}\n`);
        const items = reviewItems({ findings: analysis.findings, plan: analysis.plan, changes: analysis.changes, changed: analysis.changed });
        const notes = [scopeNote(opts, analysis)];
        if (target) {
          const client = new GitHubClient({ apiUrl: target.apiUrl, token: target.token, log: (l) => process.stderr.write(`${l}\n`) });
          try {
            const outcome = await postReview(client, { ...target, headSha: analysis.headSha }, items, { maxComments: opts.maxComments, notes });
            const where = `${target.owner}/${target.repo}#${target.number}`;
            const parts = [
              outcome.reviewPosted ? `posted a review on ${where}: ${outcome.lineComments} line comment${outcome.lineComments === 1 ? '' : 's'}` : `nothing new to post on ${where}`,
              outcome.fileComments ? `${outcome.fileComments} on a file (line refused)` : '',
              outcome.inBody ? `${outcome.inBody} listed in the review body` : '',
              outcome.alreadyThere ? `${outcome.alreadyThere} already there` : '',
              outcome.markedOutdated ? `${outcome.markedOutdated} marked outdated` : '',
              outcome.deleted ? `${outcome.deleted} outdated deleted` : '',
            ].filter(Boolean);
            process.stdout.write(`gomapfix: ${parts.join(', ')}\n`);
          } catch (err) {
            if (err instanceof GitHubError) throw new UserError(client.redact(err.message));
            throw new UserError(client.redact(`posting the review failed: ${(err as Error).message}`));
          }
        } else if (opts.format === 'github-review') {
          const review = assembleReview(items, { headSha: analysis.headSha, maxComments: opts.maxComments, notes });
          process.stdout.write(JSON.stringify(review, null, 2) + '\n');
        } else {
          process.stdout.write(formatReport(opts.format, report(analysis), context(analysis)).stdout);
        }
        setExit(analysis.findings.length > 0 ? 1 : 0);
      } finally {
        analysis.dispose();
      }
    });
}

interface PostTarget {
  owner: string;
  repo: string;
  number: number;
  token: string;
  apiUrl: string;
}

function postTarget(opts: PrOptions, env: NodeJS.ProcessEnv): PostTarget {
  const token = env.GITHUB_TOKEN;
  if (!token) throw new UserError('--post needs a token in GITHUB_TOKEN (in a workflow: env: GITHUB_TOKEN: ${{ github.token }}, with permissions: pull-requests: write)');
  const repository = opts.repo ?? env.GITHUB_REPOSITORY;
  if (!repository) throw new UserError('--post needs the repository: pass --repo owner/name (in GitHub Actions it comes from GITHUB_REPOSITORY)');
  const m = /^([\w.-]+)\/([\w.-]+)$/.exec(repository);
  if (!m) throw new UserError(`the repository must be owner/name, got ${repository}`);
  const number = opts.pr ?? actionsEvent(env).number;
  if (!number) throw new UserError('--post needs the pull request number: pass --pr N (in a pull_request workflow it comes from GITHUB_EVENT_PATH)');
  const apiUrl = env.GITHUB_API_URL || 'https://api.github.com';
  try {
    new URL(apiUrl);
  } catch {
    throw new UserError(`GITHUB_API_URL is not a URL: ${apiUrl}`);
  }
  return { owner: m[1]!, repo: m[2]!, number, token, apiUrl };
}

function scopeNote(opts: PrOptions, a: ChangeAnalysis): string {
  const scope =
    opts.scope === 'added' ? 'findings on lines this change adds' : opts.scope === 'diff-context' ? `findings within ${opts.context} lines of an added line` : opts.scope === 'files' ? 'findings in the files this change touches' : 'every finding of the changed packages';
  return `Scope: ${scope} (${a.baseSha.slice(0, 7)}...${a.headSha.slice(0, 7)}, ${a.packages.length} package${a.packages.length === 1 ? '' : 's'} analysed).`;
}

/** The findings in scope and their fixes, for the rdjson and SARIF printers. */
function report(a: ChangeAnalysis): FormatReport {
  return { findings: a.findings, errors: a.plan.errors, skipped: a.plan.skipped, warnings: a.plan.warnings, fixes: a.changes };
}

/** Paths relative to the repository root; texts from the plan, else from the head's checkout. */
function context(a: ChangeAnalysis): FormatContext {
  const before = new Map(a.plan.files.map((f) => [f.path, f.before]));
  return {
    cwd: a.root,
    root: a.root,
    version: packageVersion(),
    source: (file) => {
      if (before.has(file)) return before.get(file);
      try {
        return readFileSync(resolve(a.headDir, file), 'utf8').replace(/^\uFEFF/, '');
      } catch {
        return undefined;
      }
    },
  };
}

function count(flag: string, min: number): (v: string) => number {
  return (v) => {
    if (!/^\d+$/.test(v) || Number(v) < min) throw new UserError(`${flag} takes a whole number${min > 0 ? ` of at least ${min}` : ''}, got ${v}`);
    return Number(v);
  };
}

// `gomapfix pr --post`: the review posted on the pull request, without repeating what is already there.
import { GitHubError, type GitHubClient } from './github.js';
import { OUTDATED_MARKER, parseMarker } from './marker.js';
import { assembleReview, type PrReview, type ReviewItem } from './review.js';

export interface PullRequest {
  owner: string;
  repo: string;
  number: number;
  /** The head commit the comments are on (commit_id). */
  headSha: string;
}

/** A pull request review comment as GET /repos/{owner}/{repo}/pulls/{n}/comments lists it (the fields used). */
export interface ExistingComment {
  id: number;
  body: string;
  path?: string;
  in_reply_to_id?: number | null;
}

export interface PostOutcome {
  /** Line comments in the review (or, after a 422, posted one by one). */
  lineComments: number;
  /** Comments GitHub refused on their line, posted on the file instead. */
  fileComments: number;
  /** Findings listed in the review body only. */
  inBody: number;
  /** Findings whose comment (same finding, same fix) is already on the pull request. */
  alreadyThere: number;
  /** Comments of ours whose finding is gone: edited to say so (someone replied) or deleted (no reply). */
  markedOutdated: number;
  deleted: number;
  /** Whether a review was created (not when there was nothing new to say). */
  reviewPosted: boolean;
  /** The review as finally posted. */
  review?: PrReview;
}

/**
 * Posts the items on the pull request. Existing comments are listed first: an item whose marker
 * (finding id and fix hash) is already there is not posted again; a comment of ours whose marker
 * no item has any more is deleted, or, when someone replied to it, edited to say it is outdated.
 */
export async function postReview(client: GitHubClient, pr: PullRequest, items: ReviewItem[], options: { maxComments: number; notes?: string[] }): Promise<PostOutcome> {
  const base = `repos/${encodeURIComponent(pr.owner)}/${encodeURIComponent(pr.repo)}/pulls`;
  const existing = await client.paginate<ExistingComment>(`${base}/${pr.number}/comments`);
  const ours = existing.filter((c) => !c.in_reply_to_id && parseMarker(c.body) && !c.body.includes(OUTDATED_MARKER));
  const present = new Set(ours.map((c) => parseMarker(c.body)!).map((m) => `${m.findingId}:${m.fixHash}`));
  const current = new Set(items.map((i) => `${i.findingId}:${i.fixHash}`));
  const outcome: PostOutcome = { lineComments: 0, fileComments: 0, inBody: 0, alreadyThere: 0, markedOutdated: 0, deleted: 0, reviewPosted: false };

  for (const c of ours) {
    const m = parseMarker(c.body)!;
    if (current.has(`${m.findingId}:${m.fixHash}`)) continue;
    const replied = existing.some((r) => r.in_reply_to_id === c.id);
    if (replied) {
      const still = items.some((i) => i.findingId === m.findingId);
      const why = still ? 'its fix changed; the new one is in a newer comment' : 'gomapfix no longer reports this finding';
      await client.request('PATCH', `${base}/comments/${c.id}`, { body: `${OUTDATED_MARKER}\n**Outdated** at ${pr.headSha.slice(0, 7)}: ${why}.\n\n<details><summary>The earlier comment</summary>\n\n${c.body}\n\n</details>` });
      outcome.markedOutdated++;
    } else {
      await client.request('DELETE', `${base}/comments/${c.id}`);
      outcome.deleted++;
    }
  }

  const fresh = items.filter((i) => !present.has(`${i.findingId}:${i.fixHash}`));
  outcome.alreadyThere = items.length - fresh.length;
  if (fresh.length === 0) return outcome;
  const notes = [...(options.notes ?? [])];
  if (outcome.alreadyThere > 0) notes.push(`${outcome.alreadyThere} finding${outcome.alreadyThere === 1 ? ' is' : 's are'} already commented on from an earlier run and not repeated.`);

  const review = assembleReview(fresh, { headSha: pr.headSha, maxComments: options.maxComments, notes });
  try {
    await client.request('POST', `${base}/${pr.number}/reviews`, review);
    outcome.lineComments = review.comments.length;
    outcome.inBody = fresh.length - review.comments.length;
    outcome.reviewPosted = true;
    outcome.review = review;
    return outcome;
  } catch (err) {
    if (!(err instanceof GitHubError) || err.status !== 422) throw err;
  }

  // GitHub refused the review (a line it does not count as part of the diff): each comment on its
  // own, then on its file, then in the body of a review without line comments.
  const placed = new Set<string>();
  const commented = fresh.filter((i) => review.comments.includes(i.comment!));
  for (const item of commented) {
    const c = item.comment!;
    try {
      await client.request('POST', `${base}/${pr.number}/comments`, { ...c, commit_id: pr.headSha });
      outcome.lineComments++;
      placed.add(item.findingId);
      continue;
    } catch (err) {
      if (!(err instanceof GitHubError) || err.status !== 422) throw err;
    }
    try {
      await client.request('POST', `${base}/${pr.number}/comments`, { body: item.body, commit_id: pr.headSha, path: c.path, subject_type: 'file' });
      outcome.fileComments++;
      placed.add(item.findingId);
    } catch (err) {
      if (!(err instanceof GitHubError) || err.status !== 422) throw err;
    }
  }
  const fallback = assembleReview(fresh, { headSha: pr.headSha, maxComments: options.maxComments, notes, placedElsewhere: placed, bodyOnly: true });
  await client.request('POST', `${base}/${pr.number}/reviews`, fallback);
  outcome.inBody = fresh.length - placed.size;
  outcome.reviewPosted = true;
  outcome.review = fallback;
  return outcome;
}

// A small stand-in for the GitHub REST endpoints `gomapfix pr --post` uses, on 127.0.0.1, recording every request.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoredComment {
  id: number;
  body: string;
  path: string;
  line?: number | null;
  start_line?: number | null;
  subject_type?: 'line' | 'file';
  in_reply_to_id?: number;
  user: { login: string };
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  body: unknown;
}

export interface FakeGitHub {
  url: string;
  requests: RecordedRequest[];
  comments: Map<number, StoredComment>;
  reviews: { body: string; commit_id?: string; event: string; comments: unknown[] }[];
  /** Lines ("path:line") GitHub refuses with 422 (not part of the diff). */
  refusedLines: Set<string>;
  /** The next N requests answer 429 with this retry-after. */
  rateLimit: { count: number; retryAfter: string };
  /** Adds a comment as if someone (or an earlier run) had posted it; returns its id. */
  seed(c: Omit<StoredComment, 'id' | 'user'> & { user?: string }): number;
  close(): Promise<void>;
}

const PREFIX = '/api/v3/repos/octo/app/pulls';

/** Serves list/create/edit/delete of review comments and create review for octo/app#7. */
export async function fakeGitHub(token: string): Promise<FakeGitHub> {
  let nextId = 1000;
  const state: Omit<FakeGitHub, 'url' | 'close' | 'seed'> = { requests: [], comments: new Map(), reviews: [], refusedLines: new Set(), rateLimit: { count: 0, retryAfter: '0' } };
  const send = (res: ServerResponse, status: number, data: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(data === undefined ? '' : JSON.stringify(data));
  };
  const addComment = (c: Omit<StoredComment, 'id' | 'user'>, user = 'github-actions[bot]'): StoredComment => {
    const stored: StoredComment = { ...c, id: nextId++, user: { login: user } };
    state.comments.set(stored.id, stored);
    return stored;
  };
  const refused = (c: { path?: string; line?: number; start_line?: number }) =>
    state.refusedLines.has(`${c.path}:${c.line}`) || (c.start_line !== undefined && state.refusedLines.has(`${c.path}:${c.start_line}`));

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
    state.requests.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, authorization: req.headers.authorization, body });
    // The message quotes the header, as a careless proxy might: the CLI must not print it back.
    if (req.headers.authorization !== `Bearer ${token}`) return send(res, 401, { message: `Bad credentials (${req.headers.authorization})` });
    if (state.rateLimit.count > 0) {
      state.rateLimit.count--;
      return send(res, 429, { message: 'You have exceeded a secondary rate limit.' }, { 'retry-after': state.rateLimit.retryAfter });
    }
    const p = url.pathname;
    if (req.method === 'GET' && p === `${PREFIX}/7/comments`) {
      const perPage = Number(url.searchParams.get('per_page') ?? 30);
      const page = Number(url.searchParams.get('page') ?? 1);
      const all = [...state.comments.values()];
      const slice = all.slice((page - 1) * perPage, page * perPage);
      const headers: Record<string, string> = {};
      if (page * perPage < all.length) headers.link = `<http://${req.headers.host}${PREFIX}/7/comments?per_page=${perPage}&page=${page + 1}>; rel="next"`;
      return send(res, 200, slice, headers);
    }
    if (req.method === 'POST' && p === `${PREFIX}/7/reviews`) {
      const comments = (body?.comments ?? []) as { path: string; line: number; start_line?: number; body: string }[];
      if (comments.some(refused)) return send(res, 422, { message: 'Unprocessable Entity', errors: ['Line could not be resolved'] });
      for (const c of comments) addComment({ body: c.body, path: c.path, line: c.line, start_line: c.start_line ?? null, subject_type: 'line' });
      state.reviews.push(body as FakeGitHub['reviews'][number]);
      return send(res, 200, { id: state.reviews.length, state: 'COMMENTED' });
    }
    if (req.method === 'POST' && p === `${PREFIX}/7/comments`) {
      const c = body as { path: string; line?: number; start_line?: number; body: string; subject_type?: 'file' };
      if (c.subject_type !== 'file' && refused(c)) return send(res, 422, { message: 'Validation Failed', errors: [{ resource: 'PullRequestReviewComment', code: 'custom', field: 'pull_request_review_thread.line', message: 'could not be resolved' }] });
      return send(res, 201, addComment({ body: c.body, path: c.path, line: c.line ?? null, subject_type: c.subject_type ?? 'line' }));
    }
    const one = new RegExp(`^${PREFIX}/comments/(\\d+)$`).exec(p);
    if (one) {
      const c = state.comments.get(Number(one[1]));
      if (!c) return send(res, 404, { message: 'Not Found' });
      if (req.method === 'PATCH') {
        c.body = String(body?.body);
        return send(res, 200, c);
      }
      if (req.method === 'DELETE') {
        state.comments.delete(c.id);
        res.writeHead(204).end();
        return;
      }
    }
    send(res, 404, { message: `no route ${req.method} ${p}` });
  };

  const server: Server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (raw += d));
    req.on('end', () => handle(req, res, raw));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/api/v3`,
    seed: (c: Omit<StoredComment, 'id' | 'user'> & { user?: string }) => {
      const { user, ...rest } = c;
      return addComment(rest, user).id;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  });
}

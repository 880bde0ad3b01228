// A small GitHub REST client on fetch: retries on rate limits, follows pagination, never shows the token.

export interface GitHubClientOptions {
  /** GITHUB_API_URL (https://api.github.com, or a GitHub Enterprise /api/v3 URL). */
  apiUrl: string;
  token: string;
  /** Retries of one request after a rate limit or a server error (default 3). */
  maxRetries?: number;
  /** A rate limit asking to wait longer than this (seconds) fails the run instead (default 120). */
  maxWaitSeconds?: number;
  /** Says on stderr that the run waits. */
  log?: (line: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

/** An answer GitHub gave that is not a success; `message` is GitHub's, with the token removed. */
export class GitHubError extends Error {
  override readonly name = 'GitHubError';
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    message: string,
  ) {
    super(`GitHub API ${method} ${path}: ${status} ${message}`);
  }
}

export interface GitHubResponse<T> {
  status: number;
  data: T;
  headers: Headers;
}

export class GitHubClient {
  private readonly base: URL;
  private readonly maxRetries: number;
  private readonly maxWait: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: GitHubClientOptions) {
    this.base = new URL(options.apiUrl.endsWith('/') ? options.apiUrl : `${options.apiUrl}/`);
    this.maxRetries = options.maxRetries ?? 3;
    this.maxWait = options.maxWaitSeconds ?? 120;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** `text` with the token replaced by ***: for any message that may quote a request or a response. */
  redact(text: string): string {
    const t = this.options.token;
    return t ? text.split(t).join('***') : text;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<GitHubResponse<T>> {
    return this.requestUrl<T>(method, this.url(path), path, body);
  }

  /** Every item of a list endpoint, following the Link header's rel="next" (100 per page). */
  async paginate<T>(path: string): Promise<T[]> {
    const first = this.url(path);
    if (!first.searchParams.has('per_page')) first.searchParams.set('per_page', '100');
    const items: T[] = [];
    let next: URL | null = first;
    for (let page = 0; next && page < 1000; page++) {
      const r: GitHubResponse<T[]> = await this.requestUrl<T[]>('GET', next, path);
      if (!Array.isArray(r.data)) throw new GitHubError(r.status, 'GET', path, 'the answer is not a list');
      items.push(...r.data);
      next = nextPage(r.headers.get('link'), this.base);
    }
    return items;
  }

  private url(path: string): URL {
    return new URL(path.replace(/^\//, ''), this.base);
  }

  private async requestUrl<T>(method: string, url: URL, label: string, body?: unknown): Promise<GitHubResponse<T>> {
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers: {
            accept: 'application/vnd.github+json',
            authorization: `Bearer ${this.options.token}`,
            'x-github-api-version': '2022-11-28',
            'user-agent': 'gomapfix',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      } catch (err) {
        const cause = (err as { cause?: { message?: string } }).cause?.message;
        if (attempt < this.maxRetries) {
          await this.wait(2 ** attempt, `${method} ${label} failed (${this.redact(cause ?? (err as Error).message)})`);
          continue;
        }
        throw new GitHubError(0, method, label, this.redact(`cannot reach ${url.origin}: ${cause ?? (err as Error).message}`));
      }
      const text = await res.text();
      let data: unknown = null;
      try {
        data = text ? JSON.parse(text) : null;
      } catch {
        data = text;
      }
      if (res.ok) return { status: res.status, data: data as T, headers: res.headers };
      const message = this.redact(typeof data === 'object' && data && 'message' in data ? String((data as { message: unknown }).message) : text.slice(0, 200));
      const delay = retryDelay(res, message, attempt);
      if (delay !== null && attempt < this.maxRetries) {
        if (delay > this.maxWait) throw new GitHubError(res.status, method, label, `${message} (rate limited for ${delay} s, more than ${this.maxWait} s; try again later)`);
        await this.wait(delay, `${method} ${label}: ${res.status}, retrying`);
        continue;
      }
      throw new GitHubError(res.status, method, label, message + validationDetails(data, this));
    }
  }

  private async wait(seconds: number, why: string): Promise<void> {
    this.options.log?.(`gomapfix: ${why} in ${seconds} s`);
    await this.sleep(seconds * 1000);
  }
}

/**
 * Seconds to wait before retrying, or null when the answer is final. 429 and 403 secondary rate
 * limits: retry-after, else x-ratelimit-reset when x-ratelimit-remaining is 0, else a minute (as
 * GitHub's documentation asks). 5xx: 1, 2, 4 s.
 */
function retryDelay(res: Response, message: string, attempt: number): number | null {
  const after = res.headers.get('retry-after');
  const remaining = res.headers.get('x-ratelimit-remaining');
  const reset = res.headers.get('x-ratelimit-reset');
  const limited = res.status === 429 || (res.status === 403 && (after !== null || remaining === '0' || /rate limit/i.test(message)));
  if (limited) {
    if (after !== null && /^\d+$/.test(after.trim())) return Number(after.trim());
    if (remaining === '0' && reset && /^\d+$/.test(reset)) return Math.max(0, Number(reset) - Math.floor(Date.now() / 1000));
    return 60;
  }
  if (res.status >= 500) return 2 ** attempt;
  return null;
}

/** GitHub's `errors` of a 422, which say which field was refused. */
function validationDetails(data: unknown, client: GitHubClient): string {
  const errors = (data as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return '';
  return client.redact(` (${errors.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))).join('; ')})`);
}

/** The rel="next" URL of a Link header, only on the API's own origin (the token is never sent elsewhere). */
function nextPage(link: string | null, base: URL): URL | null {
  if (!link) return null;
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (!m) continue;
    const url = new URL(m[1]!, base);
    return url.origin === base.origin ? url : null;
  }
  return null;
}

// The "why" of a fix: assembled from auto's choice and the transform's own reason, it must not
// say one thing twice, and the diff header shows only as much of it as a reader takes in.

/** How many characters of a fix's reason the diff header shows; the JSON plan keeps it whole. */
export const WHY_HEADER_LIMIT = 200;

interface Clause {
  text: string;
  /** What ends it in the joined text: '. ', '; ' or '' at the end. */
  end: string;
}

/** Clauses end at a full stop or semicolon followed by a space (not inside `a.b` or `1.21`). */
function clauses(text: string): Clause[] {
  const out: Clause[] = [];
  const re = /([.;])\s+/g;
  let from = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push({ text: text.slice(from, m.index).trim(), end: `${m[1]} ` });
    from = m.index + m[0].length;
  }
  const rest = text.slice(from).trim();
  if (rest) out.push({ text: rest.replace(/[.;]$/, ''), end: rest.endsWith('.') ? '.' : '' });
  return out.filter((c) => c.text.length > 0);
}

/** The content of a clause for comparison: no leading labels (`Access pattern: fits: …`), case or punctuation. */
function content(text: string): string {
  let t = text;
  for (let m = /^[\w ()-]{1,30}:\s+/.exec(t); m && m[0].length < t.length; m = /^[\w ()-]{1,30}:\s+/.exec(t)) t = t.slice(m[0].length);
  return normalized(t);
}

function normalized(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9./]+/g, ' ').trim();
}

/**
 * Joins the parts of a reason, dropping every clause that repeats one already said (the same
 * words, or words contained in an earlier clause).
 */
export function joinWithoutRepeats(parts: string[]): string {
  const kept: Clause[] = [];
  const said: string[] = [];
  for (const part of parts) {
    for (const c of clauses(part)) {
      const words = content(c.text);
      // A short clause ("as before") may recur in other words; only a long one is matched inside another.
      if (said.some((s) => s === words || (words.length >= 20 && s.includes(words)))) continue;
      said.push(normalized(c.text));
      kept.push(c);
    }
    const last = kept[kept.length - 1];
    if (last && last.end !== '. ') last.end = '. ';
  }
  return kept
    .map((c) => c.text + c.end)
    .join('')
    .trim();
}

/**
 * The reason cut to whole clauses within `limit` characters, ending in "…" when something was
 * left out. What a reviewer must check (`Review: …`) keeps half of the room when it was cut.
 */
export function headlineWhy(reason: string, limit = WHY_HEADER_LIMIT): string {
  const text = joinWithoutRepeats([reason]);
  if (text.length <= limit) return text;
  const review = text.indexOf('Review: ');
  if (review > 0) {
    const first = cut(text.slice(0, review), Math.floor((limit - 1) / 2));
    return `${first} ${cut(text.slice(review), limit - 1 - first.length)}`;
  }
  return cut(text, limit);
}

function cut(text: string, limit: number): string {
  if (text.trimEnd().length <= limit) return text.trimEnd();
  let out = '';
  for (const c of clauses(text)) {
    const next = `${out}${c.text}${c.end}`;
    if (next.trimEnd().length + 2 > limit) break;
    out = next;
  }
  if (out.length === 0) out = `${text.slice(0, limit - 2).replace(/\s+\S*$/, '')} `;
  return `${out.trimEnd().replace(/[;,:]$/, '')} …`;
}

// Why the static scan did not report a map a runtime report proves racy: read from the scan's
// facts about the racing accesses themselves (the lines the report names), most specific first.
import type { PackageFlow, ResolvedSite } from '../analysis/concurrency.js';
import { ignoredLines } from '../analysis/ignore-comments.js';
import type { MapDecl } from '../analysis/model.js';
import { isOwnerLock, OWNER } from '../analysis/owner-locks.js';

/** One racing side as triage placed it. */
export interface MissedSide {
  file: string;
  line: number;
  goroutine: number | null;
  /** The scan's access site the side was placed on, when it is one (not a made-up stand-in). */
  site: ResolvedSite | null;
  /** How the line reaches the map when it does not name it. */
  reach: 'received' | 'element' | 'dependency' | null;
  /** What the side did (`write`, `read`, …), as the report says. */
  access: string;
  /** For `dependency`: the function of the other module the access is in. */
  helper: string | null;
  /** Where the goroutine was started, when in the repository; `pkg`: the Go package name of that file. */
  createdAt: { file: string; line: number; func: string; pkg: string | null } | null;
}

const REACH: Record<'received' | 'dependency', string> = {
  received: 'a value received from a channel, which the scan does not follow back to what was sent',
  dependency: "a function of another module, which the scan does not read (it analyses this repository's packages only)",
};

/** The reason, as one sentence, or null when the facts say nothing useful. */
export function whyMissed(decl: MapDecl, flow: PackageFlow, pkgName: string, sides: MissedSide[]): string {
  const sites = flow.sites.filter((s) => s.map === decl.key);
  const lines = (file: string) => flow.index.files.find((f) => f.rel === file)?.text.split('\n') ?? [];

  // A //gomapfix:ignore on a racing line (or the line above) first: that is the finding it hid.
  const places = [...sides.map((s) => ({ file: s.file, line: s.line, racing: true })), ...sites.map((s) => ({ file: s.span.file, line: s.span.line, racing: false }))];
  for (const p of places) {
    const text = lines(p.file);
    for (const l of [p.line, p.line - 1]) {
      const comment = text[l - 1];
      if (comment === undefined || !/\/\/\s*gomapfix:ignore\b/.test(comment)) continue;
      const named = ignoredLines(comment).get(1);
      const rules = !named || named === 'all' ? 'every rule' : [...named].join(', ');
      return `a //gomapfix:ignore comment at ${p.file}:${l} suppresses ${rules} on ${p.file}:${p.line}${p.racing ? ', a line the report shows racing' : ''} (${comment.trim()})`;
    }
  }

  // A write names the hidden access best (`the racing write happens in …`).
  const hidden = [...sides].sort((a, b) => Number(b.access === 'write') - Number(a.access === 'write')).find((s) => s.reach === 'received' || s.reach === 'dependency');
  if (sites.length === 0) {
    return hidden
      ? `the scan saw no access of ${decl.name}: the racing access at ${hidden.file}:${hidden.line} reaches it through ${REACH[hidden.reach as 'received' | 'dependency']}`
      : `the scan saw no access of ${decl.name}`;
  }
  if (hidden?.reach === 'dependency') {
    const seen = [...new Set(sites.map((s) => `${s.span.file}:${s.span.line} (${s.kind === 'escape' ? `passed to a ${s.escape ?? 'call'}` : s.kind})`))];
    return `the racing ${hidden.access} happens in ${hidden.helper ?? 'a function of another module'}, which the scan does not read (it analyses this repository only): at ${hidden.file}:${hidden.line} it sees ${decl.name} only passed to a call, so it knows no write there; the accesses it does see, ${seen.slice(0, 4).join(', ')}${seen.length > 4 ? ', …' : ''}, do not race with each other`;
  }
  if (hidden) {
    const seen = [...new Set(sites.map((s) => `${s.span.file}:${s.span.line} (${s.kind === 'escape' ? `${s.escape ?? 'escape'}` : s.kind})`))];
    return `the racing access at ${hidden.file}:${hidden.line} reaches ${decl.name} through ${REACH[hidden.reach as 'received' | 'dependency']}; the accesses it does see, ${seen.slice(0, 4).join(', ')}${seen.length > 4 ? ', …' : ''}, do not race with each other`;
  }

  const racing = sides.map((s) => s.site).filter((s): s is ResolvedSite => s !== null && s.func >= 0);
  const spawned = (s: ResolvedSite) => s.contexts.some((c) => c !== 0);
  if (!sites.some(spawned)) {
    // No goroutine of the package reaches any access: where did the report's goroutines start?
    const starts = sides.map((s) => s.createdAt).filter((c): c is NonNullable<MissedSide['createdAt']> => c !== null);
    const elsewhere = starts.find((c) => c.pkg !== null && c.pkg !== pkgName);
    if (elsewhere) return `no goroutine in package ${pkgName} reaches its accesses: the racing goroutines are started at ${elsewhere.file}:${elsewhere.line} (${elsewhere.func}), in package ${elsewhere.pkg}, which the scan analyses on its own`;
    const inside = starts.find((c) => c.pkg === pkgName);
    if (inside) return `the scan did not connect the goroutine started at ${inside.file}:${inside.line} (${inside.func}) to the racing accesses (${sides.map((s) => `${s.file}:${s.line}`).join(', ')}): it reaches them through a call the package's call graph does not show (a function value, an interface method, another package)`;
    return `no goroutine in package ${pkgName} reaches its accesses, and the report shows no goroutine started in the repository (started by a dependency or the runtime)`;
  }

  const locked = racing.filter((s) => s.locks.length > 0);
  if (racing.length > 0 && locked.length === racing.length) {
    // `owner:T` (owner-locks.ts) is the lock of whichever value holds the T: say so.
    const say = (name: string) => (isOwnerLock(name) ? `the lock of the value holding the ${name.slice(OWNER.length)}` : name);
    const held = racing.map((s) => `${s.span.file}:${s.span.line} holds ${s.locks.map((l) => `${say(l.name)} (${l.mode})`).join(', ')}`);
    const common = racing.map((s) => new Set(s.locks.filter((l) => l.mode === 'write').map((l) => say(l.name))));
    const shared = [...(common[0] ?? [])].filter((n) => common.every((c) => c.has(n)));
    return shared.length > 0
      ? `the scan saw both racing accesses under ${shared.join(', ')} (${held.join('; ')}): the report says the lock does not cover them (another value's lock, or the map is shared beyond it)`
      : `the scan saw every racing access under a lock (${held.join('; ')}) and took them as guarded`;
  }

  const unspawned = racing.filter((s) => !spawned(s));
  const described = (s: ResolvedSite) => {
    const ctx = s.contexts.filter((c) => c !== 0).map((c) => flow.contexts.find((x) => x.id === c)?.description ?? `context ${c}`);
    return `${s.span.file}:${s.span.line} (${ctx.length > 0 ? `in ${ctx.join(', ')}` : 'in no goroutine the scan knows'})`;
  };
  if (unspawned.length > 0 && racing.length > 0) return `the scan saw the racing accesses as ${racing.map(described).join(' and ')}: it judged them ordered (before the go statement, after a Wait or a receive) or confined to one goroutine, which the report disproves`;
  return `the scan saw the racing accesses ${racing.map(described).join(' and ')} and judged them ordered or confined to one goroutine (it does not say which rule let them go), which the report disproves`;
}

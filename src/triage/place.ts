// Places a log frame's file in the repository: the build machine's absolute path, a module-cache
// path with a version, a vendored path or a -trimpath module path all end in a path relative to
// the module; the longest repository path that the frame's path ends with is the file.
import { relative, sep } from 'node:path';
import type { Frame } from './log.js';

export interface RepoFiles {
  /** Repository-relative paths (forward slashes), relative to the triage root. */
  rels: string[];
  /** Module path of each directory's go.mod (`example.com/svc`), by repository-relative directory. */
  modulePaths: Set<string>;
}

export type Placement = { ok: true; rel: string } | { ok: false; reason: string };

export function repoFiles(root: string, files: string[], modulePaths: (string | null)[]): RepoFiles {
  return { rels: files.map((f) => relative(root, f).split(sep).join('/')), modulePaths: new Set(modulePaths.filter((m): m is string => !!m)) };
}

/** The repository file a frame's path names, or why none does. */
export function placeFrame(frame: Frame, repo: RepoFiles): Placement {
  let path = frame.file.replace(/\\/g, '/');
  // Windows drive letters and module-cache versions: `…/pkg/mod/example.com/lib@v1.2.3/x.go`.
  path = path.replace(/^[A-Za-z]:/, '');
  const versioned = /@v[^/]+\//.exec(path);
  const tail = versioned ? path.slice(versioned.index + versioned[0].length) : path;
  // A module-cache path names its module: another module's `counter.go` is not this repository's.
  if (versioned && repo.modulePaths.size > 0) {
    const before = path.slice(0, versioned.index);
    const own = [...repo.modulePaths].some((m) => before === m || before.endsWith('/' + m) || unescapeModule(before).endsWith('/' + m));
    if (!own) {
      const cache = /\/pkg\/mod\/(.+)$/.exec(before);
      const module = cache ? unescapeModule(cache[1]!) : null;
      return { ok: false, reason: `${frame.file} is in ${module ? `module ${module}` : 'a versioned module'}${versioned[0].slice(0, -1)}, a dependency, not in this repository` };
    }
  }
  let best: string | null = null;
  let ties = 0;
  for (const rel of repo.rels) {
    if (!(tail === rel || tail.endsWith('/' + rel))) continue;
    if (!best || rel.length > best.length) {
      best = rel;
      ties = 0;
    } else if (rel.length === best.length) ties++;
  }
  if (!best) return { ok: false, reason: `no file of the repository ends like ${frame.file}` };
  if (ties > 0) return { ok: false, reason: `${frame.file} matches several files of the repository` };
  // A bare file name matching (`main.go`) is only trusted when the frame's path says nothing more.
  if (!best.includes('/') && tail.includes('/') && !tail.startsWith('/') && !versioned) {
    // A -trimpath path `example.com/other/main.go` of another module is not this repository's main.go.
    const dir = tail.slice(0, tail.lastIndexOf('/'));
    if (repo.modulePaths.size > 0 && !repo.modulePaths.has(dir)) return { ok: false, reason: `${frame.file} is in module ${dir}, not in this repository` };
  }
  return { ok: true, rel: best };
}

/** The module cache writes upper-case letters as `!` and the lower-case letter. */
function unescapeModule(path: string): string {
  return path.replace(/!([a-z])/g, (_, c: string) => c.toUpperCase());
}

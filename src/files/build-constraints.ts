// Go build constraints: which files belong to the build for one GOOS/GOARCH, as `go vet` sees it.

const GOOS = new Set([
  'aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'hurd', 'illumos', 'ios', 'js', 'linux', 'nacl', 'netbsd',
  'openbsd', 'plan9', 'solaris', 'wasip1', 'windows', 'zos',
]);
const GOARCH = new Set([
  '386', 'amd64', 'amd64p32', 'arm', 'armbe', 'arm64', 'arm64be', 'loong64', 'mips', 'mipsle', 'mips64', 'mips64le',
  'mips64p32', 'mips64p32le', 'ppc', 'ppc64', 'ppc64le', 'riscv', 'riscv64', 's390', 's390x', 'sparc', 'sparc64', 'wasm',
]);
const UNIX = new Set(['aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'hurd', 'illumos', 'ios', 'linux', 'netbsd', 'openbsd', 'solaris']);

export interface Platform {
  goos: string;
  goarch: string;
}

/** The platform to analyse: $GOOS/$GOARCH when set, else this machine's. */
export function targetPlatform(env: NodeJS.ProcessEnv = process.env): Platform {
  const os = env.GOOS || ({ win32: 'windows', darwin: 'darwin', freebsd: 'freebsd', openbsd: 'openbsd', aix: 'aix', sunos: 'solaris' } as Record<string, string>)[process.platform] || 'linux';
  const arch = env.GOARCH || ({ x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' } as Record<string, string>)[process.arch] || 'amd64';
  return { goos: os, goarch: arch };
}

/** Whether a tag holds on the platform (go1.N and cgo hold; custom tags such as `ignore` do not). */
function tagHolds(tag: string, p: Platform): boolean {
  if (tag === p.goos || tag === p.goarch) return true;
  if (tag === 'unix') return UNIX.has(p.goos);
  if (tag === 'linux' && p.goos === 'android') return true;
  if (tag === 'darwin' && p.goos === 'ios') return true;
  if (tag === 'solaris' && p.goos === 'illumos') return true;
  if (tag === 'gc' || tag === 'cgo') return true;
  return /^go1\.\d+$/.test(tag);
}

/** The reason a file is outside the build for the platform, or null when it is in it. */
export function excludedByConstraints(fileName: string, text: string, p: Platform): string | null {
  const base = fileName.replace(/\.go$/, '').replace(/_test$/, '');
  const parts = base.split('_');
  const last = parts[parts.length - 1] ?? '';
  const prev = parts.length > 2 ? parts[parts.length - 2] ?? '' : '';
  if (parts.length > 1) {
    if (GOARCH.has(last) && GOOS.has(prev)) {
      if (last !== p.goarch || !tagHolds(prev, p)) return `file name is for ${prev}/${last}`;
    } else if (GOOS.has(last)) {
      if (!tagHolds(last, p)) return `file name is for ${last}`;
    } else if (GOARCH.has(last) && last !== p.goarch) {
      return `file name is for ${last}`;
    }
  }
  const expr = buildExpression(text);
  if (expr !== null && !evaluate(expr, p)) return `//go:build ${expr.source}`;
  return null;
}

interface Expr {
  source: string;
  tokens: string[];
}

/** The `//go:build` line (or the `// +build` lines, translated) before the package clause. */
function buildExpression(text: string): Expr | null {
  const header = headerComments(text);
  const goBuild = /^\/\/go:build\s+(.+?)\s*$/m.exec(header);
  if (goBuild) return { source: goBuild[1]!, tokens: tokenize(goBuild[1]!) };
  const plus = [...header.matchAll(/^\/\/\s*\+build\s+(.+?)\s*$/gm)].map((m) => m[1]!);
  if (plus.length === 0) return null;
  // Spaces are OR, commas AND, separate lines AND.
  const source = plus.map((line) => `(${line.trim().split(/\s+/).map((alt) => alt.split(',').join(' && ')).join(' || ')})`).join(' && ');
  return { source, tokens: tokenize(source) };
}

/** The comment lines and blank lines at the top of the file, up to the package clause. */
function headerComments(text: string): string {
  const lines: string[] = [];
  let inBlock = false;
  // Line by line from the top, without splitting the whole file: the header is a few lines.
  for (let at = 0; at <= text.length; ) {
    const nl = text.indexOf('\n', at);
    const raw = nl < 0 ? text.slice(at) : text.slice(at, nl);
    at = nl < 0 ? text.length + 1 : nl + 1;
    const line = raw.replace(/\r$/, '');
    const t = line.trim();
    if (inBlock) {
      if (t.includes('*/')) inBlock = false;
      continue;
    }
    if (t === '' || t.startsWith('//')) {
      lines.push(t);
      continue;
    }
    if (t.startsWith('/*')) {
      inBlock = !t.includes('*/');
      continue;
    }
    break;
  }
  return lines.join('\n');
}

function tokenize(s: string): string[] {
  return s.match(/\|\||&&|!|\(|\)|[^\s()!&|]+/g) ?? [];
}

/** Evaluates `a && (b || !c)`; a malformed expression counts as true (the file stays in). */
function evaluate(expr: Expr, p: Platform): boolean {
  const toks = expr.tokens;
  let i = 0;
  const parseOr = (): boolean => {
    let v = parseAnd();
    while (toks[i] === '||') {
      i++;
      const r = parseAnd();
      v = v || r;
    }
    return v;
  };
  const parseAnd = (): boolean => {
    let v = parseNot();
    while (toks[i] === '&&') {
      i++;
      const r = parseNot();
      v = v && r;
    }
    return v;
  };
  const parseNot = (): boolean => {
    if (toks[i] === '!') {
      i++;
      return !parseNot();
    }
    if (toks[i] === '(') {
      i++;
      const v = parseOr();
      if (toks[i] === ')') i++;
      return v;
    }
    const tag = toks[i++];
    return tag === undefined ? true : tagHolds(tag, p);
  };
  const v = parseOr();
  return i === toks.length ? v : true;
}

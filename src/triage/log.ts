// Reads the runtime's fatal map errors and the race detector's reports out of a log, with the
// noise around them (timestamps, log and Kubernetes prefixes, `go test -json`, ANSI colours, CRLF).
// A pure function of the text; placing the frames in a repository is src/triage/place.ts.

/** One call frame: `pkg.Func(args)` then `\t/path/file.go:123 +0x1f`. */
export interface Frame {
  func: string;
  file: string;
  line: number;
}

/** One goroutine's side of a report: what it did, and where. */
export interface Stack {
  /** `write`, `read`, `previous write`, … for a race; `throwing` or `other` in a fatal dump. */
  role: string;
  goroutine: number | null;
  frames: Frame[];
  /** Where this goroutine was started (`created by` / `Goroutine N (…) created at:`). */
  createdAt: Frame[];
}

export type LogReportKind = 'race' | 'fatal';

export interface LogReport {
  kind: LogReportKind;
  /** `concurrent map writes`, `DATA RACE`, … */
  message: string;
  /** 1-based line of the report's first line in the input. */
  line: number;
  /** For a race: the access, then the previous access. For a fatal error: the throwing goroutine, then the others. */
  stacks: Stack[];
  /** The dump stopped before the report ended. */
  truncated: boolean;
}

export const FATAL_MAP_ERRORS = [
  'concurrent map writes',
  'concurrent map read and map write',
  'concurrent map iteration and map write',
  'concurrent map clone and map write',
] as const;

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07/g;
// Prefixes a collector puts before each line, stripped in turn (several may stack).
const PREFIXES: RegExp[] = [
  /^\uFEFF/,
  // RFC 3339 / ISO timestamps (Kubernetes `--timestamps`, CRI logs, most collectors).
  /^\[?\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?\]?\s/,
  // CRI log format after its timestamp: `stdout F `.
  /^(?:stdout|stderr) [FP] /,
  // Go's log package: `2024/01/02 15:04:05.000000 `.
  /^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)? /,
  // syslog / journald: `Jan  2 15:04:05 host svc[123]: `.
  /^[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \S+ [^:\s]+(?:\[\d+\])?: /,
  // `kubectl logs --prefix`: `[pod/api-7d9/api] `.
  /^\[(?:pod|deployment|job|statefulset|daemonset)\/[^\]]+\] /,
  // docker compose: `api-1  | `.
  /^[\w.-]+\s+\| /,
];

/** The log as clean lines: JSON test events unwrapped, colours and carriage returns removed. */
export function logLines(text: string): string[] {
  const raw = text.replace(ANSI, '').split(/\r?\n|\r/);
  const out: string[] = [];
  let pending = '';
  for (const line of raw) {
    const json = testEventOutput(line);
    if (json !== null) {
      // test2json's Output fields may split a line: join them until a newline.
      const parts = (pending + json).split('\n');
      pending = parts.pop() ?? '';
      out.push(...parts.map(stripPrefixes));
      continue;
    }
    if (pending) {
      out.push(stripPrefixes(pending));
      pending = '';
    }
    out.push(stripPrefixes(line));
  }
  if (pending) out.push(stripPrefixes(pending));
  return out;
}

function testEventOutput(line: string): string | null {
  const t = line.trim();
  if (!t.startsWith('{') || !t.includes('"Action"')) return null;
  try {
    const ev = JSON.parse(t) as { Action?: unknown; Output?: unknown };
    if (ev.Action !== 'output') return '';
    return typeof ev.Output === 'string' ? ev.Output.replace(ANSI, '').replace(/\r/g, '') : '';
  } catch {
    return null;
  }
}

function stripPrefixes(line: string): string {
  let s = line;
  for (let changed = true; changed; ) {
    changed = false;
    for (const re of PREFIXES) {
      const m = re.exec(s);
      if (m && m[0].length > 0) {
        s = s.slice(m[0].length);
        changed = true;
      }
    }
  }
  return s;
}

const FATAL = /fatal error: (concurrent map (?:writes|read and map write|iteration and map write|clone and map write))/;
const RACE = /WARNING: DATA RACE/;
const FUNC_LINE = /^\s*(?:created by\s+)?([^\s()]*\.[^\s()]*(?:\(\*?[^()\s]+\)\.[^\s()]*)*)(?:\(.*\))?(?:\s+in goroutine \d+)?\s*$/;
const FILE_LINE = /^\s*(\S.*?\.(?:go|s)):(\d+)(?:\s+\+0x[0-9a-f]+)?(?:\s+fp=.*)?\s*$/;
const GOROUTINE_HEADER = /^goroutine (\d+)(?: gp=\S+ m=\S+(?: mp=\S+)?)? \[([^\]]*)\]:\s*$/;
const RACE_ACCESS = /^\s*((?:Previous )?(?:[Ww]rite|[Rr]ead)) at 0x[0-9a-f]+ by (?:goroutine (\d+)|main goroutine):\s*$/;
const RACE_CREATED = /^\s*Goroutine (\d+) \([^)]*\) created at:\s*$/;
const SEPARATOR = /^={10,}\s*$/;

/** Every fatal map error and race report in the text, in order of appearance. */
export function parseLog(text: string): LogReport[] {
  const lines = logLines(text);
  const reports: LogReport[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fatal = FATAL.exec(line);
    if (fatal) {
      const r = parseFatal(lines, i, fatal[1]!);
      reports.push(r.report);
      i = r.end - 1;
      continue;
    }
    if (RACE.test(line)) {
      const r = parseRace(lines, i);
      reports.push(r.report);
      i = r.end - 1;
    }
  }
  return reports;
}

/** Reads frames from `start`: pairs of function and file lines. Stops at the first line that is neither. */
function readFrames(lines: string[], start: number): { frames: Frame[]; created: Frame[]; end: number; truncated: boolean } {
  const frames: Frame[] = [];
  const created: Frame[] = [];
  let i = start;
  let truncated = false;
  while (i < lines.length) {
    const l = lines[i]!;
    if (l.trim() === '' || GOROUTINE_HEADER.test(l) || RACE_ACCESS.test(l) || RACE_CREATED.test(l) || SEPARATOR.test(l) || FATAL.test(l) || RACE.test(l)) break;
    if (/^\s*\.\.\.(?:additional frames elided|\d+ frames elided)?\.*\s*$/.test(l)) {
      i++;
      continue;
    }
    const fn = FUNC_LINE.exec(l);
    if (!fn) break;
    const next = lines[i + 1];
    const file = next !== undefined ? FILE_LINE.exec(next) : null;
    if (!file) {
      // A function line with no file line: the dump was cut here.
      truncated = next === undefined || next.trim() === '' ? true : truncated;
      i++;
      if (next === undefined) break;
      continue;
    }
    const frame: Frame = { func: fn[1]!, file: file[1]!.trim(), line: Number(file[2]) };
    if (/^\s*created by\s/.test(l)) created.push(frame);
    else frames.push(frame);
    i += 2;
  }
  if (i >= lines.length) truncated = true;
  return { frames, created, end: i, truncated };
}

function parseFatal(lines: string[], at: number, message: string): { report: LogReport; end: number } {
  const stacks: Stack[] = [];
  let i = at + 1;
  let truncated = false;
  // Two goroutines that detect the race at once each print the fatal error line before the one dump.
  while (i < lines.length && (lines[i]!.trim() === '' || FATAL.exec(lines[i]!)?.[1] === message)) i++;
  for (;;) {
    while (i < lines.length && lines[i]!.trim() === '') i++;
    const header = i < lines.length ? GOROUTINE_HEADER.exec(lines[i]!) : null;
    if (!header) break;
    const r = readFrames(lines, i + 1);
    stacks.push({ role: stacks.length === 0 ? 'throwing' : 'other', goroutine: Number(header[1]), frames: r.frames, createdAt: r.created });
    truncated ||= r.truncated;
    i = r.end;
  }
  if (stacks.length === 0) truncated = true;
  return { report: { kind: 'fatal', message, line: at + 1, stacks, truncated }, end: Math.max(i, at + 1) };
}

function parseRace(lines: string[], at: number): { report: LogReport; end: number } {
  const stacks: Stack[] = [];
  const createdBy = new Map<number, Frame[]>();
  let i = at + 1;
  let truncated = true;
  while (i < lines.length) {
    const l = lines[i]!;
    if (SEPARATOR.test(l) || RACE.test(l) || FATAL.test(l)) {
      truncated = !SEPARATOR.test(l);
      if (SEPARATOR.test(l)) i++;
      break;
    }
    const access = RACE_ACCESS.exec(l);
    if (access) {
      const r = readFrames(lines, i + 1);
      stacks.push({ role: access[1]!.toLowerCase(), goroutine: access[2] ? Number(access[2]) : null, frames: r.frames, createdAt: [] });
      i = r.end;
      continue;
    }
    const created = RACE_CREATED.exec(l);
    if (created) {
      const r = readFrames(lines, i + 1);
      createdBy.set(Number(created[1]), r.frames);
      i = r.end;
      continue;
    }
    i++;
  }
  for (const s of stacks) if (s.goroutine !== null) s.createdAt = createdBy.get(s.goroutine) ?? [];
  return { report: { kind: 'race', message: 'DATA RACE', line: at + 1, stacks, truncated }, end: i };
}

/** The runtime function a map operation runs in, and the access it stands for; null for any other frame. */
export function mapOperation(func: string): 'write' | 'read' | 'delete' | 'range' | 'clear' | 'clone' | 'map' | null {
  const f = func.replace(/^runtime\.|^internal\/runtime\/maps\./, (p) => p);
  if (/^runtime\.mapassign/.test(f) || /maps\.runtime_mapassign/.test(f) || /maps\.\(\*Map\)\.(?:PutSlot|putSlot)/.test(f)) return 'write';
  if (/^runtime\.mapaccess/.test(f) || /maps\.runtime_mapaccess/.test(f) || /maps\.\(\*Map\)\.(?:Get|getWith)/.test(f)) return 'read';
  if (/^runtime\.mapdelete/.test(f) || /maps\.runtime_mapdelete/.test(f) || /maps\.\(\*Map\)\.Delete/.test(f)) return 'delete';
  // Go 1.24+: `runtime.mapIterStart`, `runtime.mapIterNext`.
  if (/^runtime\.mapiter/i.test(f) || /maps\.\(\*Iter\)\./.test(f) || /maps\.runtime_mapiter/i.test(f)) return 'range';
  if (/^runtime\.mapclear/i.test(f) || /maps\.\(\*Map\)\.Clear/.test(f)) return 'clear';
  if (/^runtime\.mapclone|^maps\.clone$|maps\.\(\*Map\)\.Clone/i.test(f)) return 'clone';
  if (/^internal\/runtime\/maps\./.test(f) || /^runtime\.(?:makemap|growWork|hashGrow|evacuate)/.test(f)) return 'map';
  return null;
}

/** What the fatal error's message says the throwing goroutine was doing. */
export function fatalAccess(message: string): 'write' | 'read' | 'range' | 'clone' {
  if (message.includes('writes')) return 'write';
  if (message.includes('read and')) return 'read';
  if (message.includes('iteration')) return 'range';
  return 'clone';
}

/** Whether a frame belongs to the Go runtime or standard library (never the access site). */
export function isStdFrame(frame: Frame): boolean {
  const pkg = frame.func.replace(/\.\(.*$/, '').replace(/\.[^./]*$/, '');
  const first = pkg.split('/')[0] ?? '';
  if (/(?:^|\/)(?:src|libexec\/src)\/(?:runtime|internal|sync|testing|reflect|maps)\//.test(frame.file) && !first.includes('.') && first !== 'main') return true;
  return /^(?:runtime|internal|sync|testing|reflect|maps|fmt|os|net|syscall)$/.test(first) && !frame.file.includes('/pkg/mod/');
}

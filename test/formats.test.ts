// `scan` and `fix` in the machine formats (sarif, rdjson, rdjsonl, github, vet), run through the real
// CLI on examples/demo: validated against the official schemas (test/schemas/), and every fix the
// SARIF or rdjson output carries, applied to the original files, must give exactly what `fix --write` writes.
import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import AjvDraft04 from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp, racy, REPO, runCli, safe, scanJson, tempTree } from './helpers/cli.js';
import { RULE_IDS } from '../src/analysis/model.js';
import { RULE_DOCS } from '../src/cli/formats/rule-docs.js';
import { command, escapeData, escapeProperty } from '../src/cli/formats/github.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const DEMO = join(REPO, 'examples', 'demo');
const schema = (name: string) => JSON.parse(readFileSync(join(REPO, 'test', 'schemas', name), 'utf8')) as object;

// ajv-draft-04 and ajv-formats are CommonJS modules with a `default` export.
type AjvLike = { compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown } };
const Ajv = ((AjvDraft04 as unknown as { default?: unknown }).default ?? AjvDraft04) as new (opts: object) => AjvLike;
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: AjvLike) => void;

function validator(name: string): (data: unknown) => void {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile(schema(name));
  return (data) => {
    const ok = validate(data);
    expect(ok, JSON.stringify(validate.errors, null, 2)).toBe(true);
  };
}

const validateSarif = validator('sarif-schema-2.1.0.json');
const validateRdjson = validator('rdf/DiagnosticResult.json');
const validateRdjsonl = validator('rdf/Diagnostic.json');

/** A scratch copy of the demo module (two of them: one to print a format, one for `fix --write`). */
function demoCopy(): string {
  const dir = tempTree();
  cpSync(DEMO, dir, { recursive: true });
  return dir;
}

function goFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) if (name.endsWith('.go')) out[name] = readFileSync(join(dir, name), 'utf8');
  return out;
}

/** What `fix --write` makes of the demo with `flags`: file name → text. */
function writtenDemo(flags: string[]): Record<string, string> {
  const dir = demoCopy();
  const run = runCli(['fix', ...flags, '--write', '.'], { cwd: dir });
  expect(run.status, run.stderr).toBeLessThanOrEqual(1);
  return goFiles(dir);
}

// ---- applying the formats' fixes, as a SARIF consumer and reviewdog would ----

interface SarifRegion {
  startLine: number;
  startColumn?: number;
  endLine?: number;
  endColumn?: number;
}

/** Offset of a 1-based line and UTF-16 column (SARIF's columnKind utf16CodeUnits). */
function sarifOffset(text: string, line: number, column: number): number {
  let start = 0;
  for (let i = 1; i < line; i++) {
    const nl = text.indexOf('\n', start);
    if (nl === -1) {
      expect(i, `line ${line} is past the end`).toBe(line - 1);
      return text.length;
    }
    start = nl + 1;
  }
  return start + column - 1;
}

function applySarifReplacements(text: string, replacements: { deletedRegion: SarifRegion; insertedContent?: { text: string } }[]): string {
  const spans = replacements.map((r) => {
    const d = r.deletedRegion;
    const start = sarifOffset(text, d.startLine, d.startColumn ?? 1);
    const end = sarifOffset(text, d.endLine ?? d.startLine, d.endColumn ?? d.startColumn ?? 1);
    return { start, end, text: r.insertedContent?.text ?? '' };
  });
  spans.sort((a, b) => b.start - a.start);
  for (let i = 1; i < spans.length; i++) expect(spans[i]!.end, 'replacements overlap').toBeLessThanOrEqual(spans[i - 1]!.start);
  for (const s of spans) text = text.slice(0, s.start) + s.text + text.slice(s.end);
  return text;
}

interface RdPos {
  line: number;
  column?: number;
}
interface RdSuggestion {
  range: { start: RdPos; end?: RdPos };
  text: string;
}

/**
 * reviewdog's Range semantics (proto/rdf/reviewdog.proto): columns are 1-based UTF-8 byte columns and
 * the end is exclusive; with no column at all the range is line-wise, start to end line inclusive,
 * without the last line's line break.
 */
function rdSpan(text: string, s: RdSuggestion): { start: number; end: number } {
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const lineStart = (line: number) => lines.slice(0, line - 1).reduce((n, l) => n + l.length, 0);
  const at = (p: RdPos) => {
    const l = lines[p.line - 1] ?? '';
    const bytes = Buffer.from(l, 'utf8').subarray(0, (p.column ?? 1) - 1);
    return lineStart(p.line) + bytes.toString('utf8').length;
  };
  const end = s.range.end ?? s.range.start;
  if (s.range.start.column === undefined && end.column === undefined) {
    const last = lines[end.line - 1] ?? '';
    return { start: lineStart(s.range.start.line), end: lineStart(end.line) + last.replace(/\r?\n$/, '').length };
  }
  return { start: at(s.range.start), end: at(end) };
}

function applyRdSuggestions(text: string, suggestions: RdSuggestion[]): string {
  const spans = suggestions.map((s) => ({ ...rdSpan(text, s), text: s.text }));
  spans.sort((a, b) => b.start - a.start);
  for (let i = 1; i < spans.length; i++) expect(spans[i]!.end, 'suggestions overlap').toBeLessThan(spans[i - 1]!.start);
  for (const s of spans) text = text.slice(0, s.start) + s.text + text.slice(s.end);
  return text;
}

// ---- SARIF ----

interface SarifLog {
  version: string;
  runs: {
    tool: { driver: { name: string; version: string; rules: { id: string; helpUri: string; help: { text: string }; shortDescription: { text: string } }[] } };
    originalUriBaseIds: Record<string, { uri: string }>;
    results: {
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region: SarifRegion } }[];
      relatedLocations: { message: { text: string }; physicalLocation: { artifactLocation: { uri: string }; region: SarifRegion } }[];
      partialFingerprints: Record<string, string>;
      fixes?: { description: { text: string }; artifactChanges: { artifactLocation: { uri: string; uriBaseId?: string }; replacements: { deletedRegion: SarifRegion; insertedContent: { text: string } }[] }[] }[];
    }[];
    invocations: { executionSuccessful: boolean; toolExecutionNotifications?: { level: string; message: { text: string } }[] }[];
  }[];
}

describe('--format sarif', () => {
  it('scan of the demo: valid SARIF 2.1.0, one run, the rules, each finding with its locations, evidence and id', () => {
    const { report } = scanJson(['examples/demo']);
    const run = runCli(['scan', 'examples/demo', '--format', 'sarif']);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('');
    const log = JSON.parse(run.stdout) as SarifLog;
    validateSarif(log);
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    const sarifRun = log.runs[0]!;
    expect(sarifRun.tool.driver.name).toBe('gomapfix');
    expect(sarifRun.tool.driver.rules.map((r) => r.id)).toEqual([...RULE_IDS]);
    for (const r of sarifRun.tool.driver.rules) {
      expect(r.helpUri).toBe(`${pathToFileURL(join(REPO, 'docs')).href}/rules.md#${r.id}`);
      expect(r.help.text.length).toBeGreaterThan(80);
    }
    // The work tree is the repository root: paths are relative to it, under SRCROOT.
    expect(sarifRun.originalUriBaseIds.SRCROOT!.uri).toBe(pathToFileURL(REPO).href + '/');
    expect(sarifRun.results).toHaveLength(report.findings.length);
    sarifRun.results.forEach((r, i) => {
      const f = report.findings[i]!;
      expect(r.ruleId).toBe(f.rule);
      expect(sarifRun.tool.driver.rules[r.ruleIndex]!.id).toBe(f.rule);
      expect(r.level).toBe('warning');
      expect(r.message.text).toBe(f.message);
      expect(r.locations[0]!.physicalLocation.artifactLocation).toEqual({ uri: f.file, uriBaseId: 'SRCROOT' });
      expect(r.locations[0]!.physicalLocation.region).toEqual({ startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn });
      expect(r.relatedLocations.map((l) => [l.physicalLocation.artifactLocation.uri, l.physicalLocation.region.startLine, l.message.text])).toEqual(
        f.evidence.map((e) => [e.file, e.line, `${e.kind}: ${e.message}`]),
      );
      expect(r.partialFingerprints).toEqual({ 'gomapfixFindingId/v1': f.id });
      expect(r.fixes).toBeUndefined(); // scan plans no fix
    });
    expect(sarifRun.invocations[0]!.executionSuccessful).toBe(true);
  });

  it('paths are relative to the repository root, not to the current directory', () => {
    const run = runCli(['scan', '.', '--format', 'sarif'], { cwd: DEMO });
    const log = JSON.parse(run.stdout) as SarifLog;
    const uris = log.runs[0]!.results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri);
    expect(uris).toContain('examples/demo/limiter.go');
    expect(uris.every((u) => u.startsWith('examples/demo/'))).toBe(true);
  });

  it('nothing found: a valid log with no results, exit 0; errors become notifications', () => {
    const dir = tempTree({ 'ok.go': safe('p'), 'bad.go': 'package p\n\nfunc {\n' });
    const run = runCli(['scan', '.', '--format', 'sarif'], { cwd: dir });
    expect(run.status).toBe(0);
    const log = JSON.parse(run.stdout) as SarifLog;
    validateSarif(log);
    expect(log.runs[0]!.results).toEqual([]);
    // Outside a git work tree the root is the current directory.
    expect(log.runs[0]!.originalUriBaseIds.SRCROOT!.uri).toBe(pathToFileURL(dir).href + '/');
    const notes = log.runs[0]!.invocations[0]!.toolExecutionNotifications ?? [];
    expect(notes.map((n) => n.level)).toEqual(['error']);
    expect(notes[0]!.message.text).toMatch(/syntax error/);
  });

  for (const flags of [['--include-review'], ['--strategy', 'mutex-wrap', '--style', 'wrapper']]) {
    it(`fix ${flags.join(' ')}: each fix's artifactChanges, applied to the originals, give what fix --write writes`, () => {
      const dir = demoCopy();
      const before = goFiles(dir);
      const run = runCli(['fix', ...flags, '--format', 'sarif', '.'], { cwd: dir });
      expect(run.status, run.stderr).toBe(1);
      const log = JSON.parse(run.stdout) as SarifLog;
      validateSarif(log);
      const results = log.runs[0]!.results;
      const fixes = results.flatMap((r) => r.fixes ?? []);
      expect(fixes.length).toBeGreaterThan(0);
      const after: Record<string, string> = { ...before };
      const changes = new Map<string, { deletedRegion: SarifRegion; insertedContent: { text: string } }[]>();
      for (const fix of fixes) {
        expect(fix.artifactChanges.length, 'never an empty artifactChanges').toBeGreaterThan(0);
        for (const c of fix.artifactChanges) {
          expect(c.replacements.length).toBeGreaterThan(0);
          expect(c.artifactLocation.uriBaseId).toBe('SRCROOT');
          const name = c.artifactLocation.uri.split('/').pop()!;
          changes.set(name, [...(changes.get(name) ?? []), ...c.replacements]);
        }
      }
      for (const [name, replacements] of changes) after[name] = applySarifReplacements(before[name] ?? '', replacements);
      expect(after).toEqual(writtenDemo(flags));
      if (flags.includes('wrapper')) expect(Object.keys(after)).toContain('gomapfix_helpers.go');
    });
  }
});

// ---- rdjson / rdjsonl ----

interface RdDiagnostic {
  message: string;
  location: { path: string; range: { start: RdPos; end?: RdPos } };
  severity: string;
  source: { name: string; url: string };
  code: { value: string; url: string };
  suggestions?: RdSuggestion[];
  related_locations?: { message: string; location: { path: string; range: { start: RdPos } } }[];
}

describe('--format rdjson and rdjsonl', () => {
  it('scan of the demo: a DiagnosticResult valid against reviewdog\'s schema, one diagnostic per finding', () => {
    const { report } = scanJson(['examples/demo']);
    const run = runCli(['scan', 'examples/demo', '--format', 'rdjson']);
    expect(run.status).toBe(1);
    const result = JSON.parse(run.stdout) as { source: { name: string }; diagnostics: RdDiagnostic[] };
    validateRdjson(result);
    expect(result.source.name).toBe('gomapfix');
    expect(result.diagnostics.map((d) => [d.location.path, d.location.range, d.code.value, d.severity, d.message])).toEqual(
      report.findings.map((f) => [f.file, { start: { line: f.line, column: f.column }, end: { line: f.endLine, column: f.endColumn } }, f.rule, 'WARNING', f.message]),
    );
    for (const d of result.diagnostics) {
      expect(d.code.url).toBe(`${pathToFileURL(join(REPO, 'docs')).href}/rules.md#${d.code.value}`);
      expect(d.suggestions).toBeUndefined();
    }
    expect(result.diagnostics[0]!.related_locations!.length).toBe(report.findings[0]!.evidence.length);

    const lines = runCli(['scan', 'examples/demo', '--format', 'rdjsonl']);
    expect(lines.status).toBe(1);
    const diagnostics = lines.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as RdDiagnostic);
    for (const d of diagnostics) validateRdjsonl(d);
    expect(diagnostics).toEqual(result.diagnostics);
  });

  it('columns are UTF-8 byte columns, as reviewdog counts them', () => {
    const src = racy('p').replace('\t\t\tcounts[i]++', '\t\t\t_ = "€"; counts[i]++');
    const dir = tempTree({ 'p.go': src });
    const { report } = scanJson(['.'], { cwd: dir });
    const f = report.findings[0]!;
    const run = runCli(['scan', '.', '--format', 'rdjsonl'], { cwd: dir });
    const d = JSON.parse(run.stdout.split('\n')[0]!) as RdDiagnostic;
    expect(d.location.range.start).toEqual({ line: f.line, column: f.column + 2 }); // € is 1 UTF-16 unit, 3 bytes
    expect(d.location.range.end).toEqual({ line: f.endLine, column: f.endColumn + 2 });
  });

  for (const flags of [['--include-review'], ['--strategy', 'mutex-wrap']]) {
    it(`fix ${flags.join(' ')}: the suggestions, applied as reviewdog reads them, give exactly what fix --write writes`, () => {
      const dir = demoCopy();
      const before = goFiles(dir);
      const run = runCli(['fix', ...flags, '--format', 'rdjson', '.'], { cwd: dir });
      expect(run.status, run.stderr).toBe(1);
      const result = JSON.parse(run.stdout) as { diagnostics: RdDiagnostic[] };
      validateRdjson(result);
      const byFile = new Map<string, RdSuggestion[]>();
      for (const d of result.diagnostics) {
        // reviewdog posts one comment per diagnostic at its suggestion's lines: at most one each,
        // line-wise (a GitHub suggestion replaces whole lines).
        expect((d.suggestions ?? []).length).toBeLessThanOrEqual(1);
        for (const s of d.suggestions ?? []) {
          expect(s.range.start.column).toBeUndefined();
          expect(s.range.end?.column).toBeUndefined();
          byFile.set(d.location.path, [...(byFile.get(d.location.path) ?? []), s]);
        }
      }
      expect(byFile.size).toBeGreaterThan(0);
      const after: Record<string, string> = { ...before };
      for (const [path, suggestions] of byFile) after[path] = applyRdSuggestions(before[path]!, suggestions);
      const written = writtenDemo(flags);
      // A file the fix creates has no lines to suggest on: the finding's message says so instead.
      const created = Object.keys(written).filter((name) => !(name in before));
      for (const name of created) {
        expect(result.diagnostics.some((d) => d.message.includes(`it also creates ${name} (apply with gomapfix fix --write)`))).toBe(true);
        after[name] = written[name]!;
      }
      expect(after).toEqual(written);

      const lines = runCli(['fix', ...flags, '--format', 'rdjsonl', '.'], { cwd: dir });
      const diagnostics = lines.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as RdDiagnostic);
      for (const d of diagnostics) validateRdjsonl(d);
      expect(diagnostics).toEqual(result.diagnostics);
    });
  }

  it('fix of a CRLF file with a BOM: the suggestions keep its line endings and give what fix --write writes', () => {
    const GO_MOD = 'module example.com/p\n\ngo 1.19\n';
    const crlf = racy().replace(/\n/g, '\r\n');
    const files = { 'go.mod': GO_MOD, 'p.go': '\uFEFF' + crlf };
    const run = runCli(['fix', '--strategy', 'mutex-wrap', '--format', 'rdjson', '.'], { cwd: tempTree(files) });
    const result = JSON.parse(run.stdout) as { diagnostics: RdDiagnostic[] };
    validateRdjson(result);
    const suggestions = result.diagnostics.flatMap((d) => d.suggestions ?? []);
    const written = tempTree(files);
    expect(runCli(['fix', '--strategy', 'mutex-wrap', '--write', '.'], { cwd: written }).status).toBe(0);
    const after = readFileSync(join(written, 'p.go'), 'utf8').replace(/^\uFEFF/, '');
    expect(after).toContain('countsMu.Lock()\r\n');
    expect(applyRdSuggestions(crlf, suggestions)).toBe(after);
  });

  it('fix: the finding carries the hunk at its own lines; other hunks of the fix are diagnostics of their own', () => {
    const dir = tempTree({ 'go.mod': 'module example.com/p\n\ngo 1.19\n', 'p.go': racy() });
    const run = runCli(['fix', '--strategy', 'mutex-wrap', '--format', 'rdjson', '.'], { cwd: dir });
    const result = JSON.parse(run.stdout) as { diagnostics: RdDiagnostic[] };
    const [finding, ...parts] = result.diagnostics;
    expect(finding!.code.value).toBe('concurrent-map-write');
    expect(finding!.message).toMatch(/\nFix: mutex-wrap \(inline\): guard counts with a new sync.Mutex countsMu/);
    // Lock/defer Unlock go in before the write counts[i]++ (line 8): an insertion, so the suggestion
    // replaces line 7 (`go func(i int) {`) with itself and the new lines.
    expect(finding!.suggestions![0]!.range).toEqual({ start: { line: 7 }, end: { line: 7 } });
    expect(finding!.suggestions![0]!.text).toBe('\t\tgo func(i int) {\n\t\t\tcountsMu.Lock()\n\t\t\tdefer countsMu.Unlock()');
    expect(parts.length).toBeGreaterThan(0);
    for (const p of parts) {
      expect(p.severity).toBe('INFO');
      expect(p.message).toMatch(/^Part \d of \d+ of the fix for concurrent-map-write on counts \(p\.go:8\)/);
    }
    expect(parts.map((p) => p.suggestions![0]!.text).join('\n')).toMatch(/import "sync"|var countsMu sync\.Mutex/);
  });
});

// ---- github ----

describe('--format github', () => {
  it('escapes data (%, CR, LF) and properties (also : and ,) as GitHub reads them', () => {
    expect(escapeData('100% done\r\nnext: a,b')).toBe('100%25 done%0D%0Anext: a,b');
    expect(escapeProperty('a:b,c%d\ne')).toBe('a%3Ab%2Cc%25d%0Ae');
    expect(command('warning', { file: 'x,y.go', line: 3, title: 'a: b' }, 'm1\nm2')).toBe('::warning file=x%2Cy.go,line=3,title=a%3A b::m1%0Am2');
  });

  it('scan of the demo: one ::warning per finding with its range, title and evidence', () => {
    const { report } = scanJson(['examples/demo']);
    const run = runCli(['scan', 'examples/demo', '--format', 'github']);
    expect(run.status).toBe(1);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(report.findings.length);
    lines.forEach((l, i) => {
      const f = report.findings[i]!;
      expect(l.startsWith(`::warning file=${f.file},line=${f.line},col=${f.column},endLine=${f.endLine},endColumn=${f.endColumn},title=gomapfix ${f.rule}%3A ${f.map.name}::`)).toBe(true);
      const message = l.slice(l.indexOf('::', 2) + 2);
      expect(message).not.toMatch(/[\r\n]/);
      const parts = message.split('%0A');
      expect(parts[0]).toBe(f.message.replace(/%/g, '%25'));
      expect(parts).toContain(`${f.evidence[0]!.kind} ${f.evidence[0]!.file}:${f.evidence[0]!.line}:${f.evidence[0]!.column}: ${f.evidence[0]!.message}`);
      expect(parts.at(-1)).toBe(`(finding ${f.id})`);
    });
  });

  it('a path with , and : is escaped; paths are relative to the repository root; unanalysed files are ::error', () => {
    const dir = tempTree({ 'a,b:c/racy.go': racy('p'), 'bad.go': 'package q\n\nfunc {\n' });
    const run = runCli(['scan', 'a,b:c', 'bad.go', '--format', 'github'], { cwd: dir });
    expect(run.status).toBe(1);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^::warning file=a%2Cb%3Ac\/racy\.go,line=8,col=4,/);
    expect(lines[1]).toMatch(/^::error file=bad\.go,title=gomapfix%3A file not analysed::3:\d+: syntax error/);

    const fromDemo = runCli(['scan', '.', '--format', 'github'], { cwd: DEMO });
    expect(fromDemo.stdout).toContain('::warning file=examples/demo/limiter.go,');
  });
});

// ---- vet ----

describe('--format vet', () => {
  it('one file:line:col: message (rule) line per finding, paths relative to the current directory', () => {
    const cwd = join(REPO, 'examples');
    const { report } = scanJson(['demo'], { cwd });
    const run = runCli(['scan', 'demo', '--format', 'vet'], { cwd });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(report.findings.map((f) => `${f.file}:${f.line}:${f.column}: ${f.message} (${f.rule})\n`).join(''));
    expect(run.stdout).toMatch(/^demo\/limiter\.go:37:3: map visitors is written here .* \(concurrent-map-write\)$/m);
  });

  it('nothing found: empty output, exit 0; an unanalysed file is listed on stderr in the same form', () => {
    const dir = tempTree({ 'ok.go': safe('p'), 'bad.go': 'package p\n\nfunc {\n' });
    const run = runCli(['scan', '.', '--format', 'vet'], { cwd: dir });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^bad\.go:3:\d+: syntax error/m);
  });
});

describe('rule documentation', () => {
  it('every rule has help text and a heading in docs/rules.md its URL points to', () => {
    expect(RULE_DOCS.map((r) => r.id)).toEqual([...RULE_IDS]);
    const doc = readFileSync(join(REPO, 'docs', 'rules.md'), 'utf8');
    for (const id of RULE_IDS) expect(doc).toMatch(new RegExp(`^### ${id}$`, 'm'));
  });

  it('fix accepts sarif, rdjson and rdjsonl but not github or vet', () => {
    const dir = tempTree({ 'p.go': racy() });
    const run = runCli(['fix', '--format', 'vet', '.'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/vet.*(invalid|allowed)/i);
  });
});

// gomapfix.json / .gomapfix.json: found at the module root above each scanned path, checked against
// schema/gomapfix.schema.json (the checker agrees with ajv on every case below), each key doing what
// its flag does, flags winning over the file, and a bad file being one line naming file and key (exit 2).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import AjvModule from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp, racy, REPO, runCli, safe, scanJson, summary, tempTree } from './helpers/cli.js';
import { RULE_IDS } from '../src/analysis/model.js';
import { STRATEGIES } from '../src/fix.js';
import { firstViolation, type SchemaNode } from '../src/config/schema-check.js';
import { EARLY_READ_TEST, STORE } from './helpers/store-sources.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const SCHEMA = JSON.parse(readFileSync(join(REPO, 'schema', 'gomapfix.schema.json'), 'utf8')) as SchemaNode & { properties: Record<string, SchemaNode> };
type AjvLike = { compile(schema: object): (data: unknown) => boolean };
const Ajv = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as new (opts: object) => AjvLike;
const ajvValidate = new Ajv({ strict: true, allErrors: true }).compile(SCHEMA);

const GOMOD = 'module example.com/m\n\ngo 1.21\n';

/** A Go file whose map is only read in goroutines but written under no lock in a test: for `tests`. */
const RACY_TEST = `package p

import "testing"

var seen = map[int]int{}

func TestSeen(t *testing.T) {
	for i := 0; i < 2; i++ {
		go func(i int) { seen[i] = i }(i)
	}
}
`;

const CASES: [string, unknown][] = [
  ['empty', {}],
  ['every key', { $schema: './node_modules/gomapfix/schema/gomapfix.schema.json', exclude: ['gen/**', '**/*_mock.go'], tests: false, rules: { 'concurrent-map-write': true, 'map-escapes-lock': false }, fix: { strategy: 'mutex-wrap', style: 'wrapper' }, maxFileSize: 1024, hazards: true, strictTests: false }],
  ['not an object', []],
  ['null', null],
  ['unknown top-level key', { rulez: {} }],
  ['unknown rule', { rules: { 'concurent-map-write': false } }],
  ['rule not a boolean', { rules: { 'concurrent-map-write': 'off' } }],
  ['tests as a string', { tests: 'false' }],
  ['exclude not an array', { exclude: 'gen/**' }],
  ['exclude with a number', { exclude: ['a', 3] }],
  ['exclude with an empty glob', { exclude: [''] }],
  ['unknown strategy', { fix: { strategy: 'atomic' } }],
  ['unknown style', { fix: { style: 'outline' } }],
  ['unknown fix key', { fix: { write: true } }],
  ['maxFileSize fractional', { maxFileSize: 10.5 }],
  ['maxFileSize zero', { maxFileSize: 0 }],
  ['maxFileSize string', { maxFileSize: '1MB' }],
  ['hazards as a number', { hazards: 1 }],
  ['strictTests null', { strictTests: null }],
];

describe('the schema and its checker', () => {
  it.each(CASES)('agree with ajv: %s', (_name, value) => {
    expect(firstViolation(SCHEMA, value) === null).toBe(ajvValidate(value));
  });

  it('list exactly the rules and strategies gomapfix has', () => {
    expect(Object.keys(SCHEMA.properties.rules!.properties!).sort()).toEqual([...RULE_IDS].sort());
    expect([...(SCHEMA.properties.fix!.properties!.strategy!.enum as string[])].sort()).toEqual([...STRATEGIES].sort());
  });

  it('the checker refuses a schema keyword it does not enforce, so the schema cannot drift from it', () => {
    expect(() => firstViolation({ type: 'string', pattern: '^a' } as SchemaNode, 'b')).toThrow(/"pattern".*not supported/);
  });
});

describe('gomapfix.json', () => {
  it('is found at the module root above the scanned path, and .gomapfix.json too', () => {
    for (const name of ['gomapfix.json', '.gomapfix.json']) {
      const dir = tempTree({ 'go.mod': GOMOD, [name]: JSON.stringify({ rules: { 'concurrent-map-write': false } }), 'pkg/a/a.go': racy('a') });
      const { run, report } = scanJson(['./...'], { cwd: join(dir, 'pkg') });
      expect(run.status).toBe(0);
      expect(report.findings).toEqual([]);
      // From a file path and from an absolute path as well.
      expect(scanJson([join(dir, 'pkg', 'a', 'a.go')], { cwd: REPO }).report.findings).toEqual([]);
    }
  });

  it('is not looked for above the module root', () => {
    const dir = tempTree({ 'gomapfix.json': JSON.stringify({ rules: { 'concurrent-map-write': false } }), 'mod/go.mod': GOMOD, 'mod/a.go': racy('a') });
    expect(summary(scanJson(['.'], { cwd: join(dir, 'mod') }).report)).toEqual(['a.go:8 concurrent-map-write counts']);
  });

  it('rules: a rule turned off is neither reported nor fixed', () => {
    const dir = tempTree({ 'go.mod': GOMOD, 'gomapfix.json': JSON.stringify({ rules: { 'concurrent-map-write': false, 'map-escapes-lock': true } }), 'a.go': racy('p') });
    expect(scanJson(['.'], { cwd: dir }).report.findings).toEqual([]);
    const fix = runCli(['fix', '.', '--format', 'json'], { cwd: dir });
    expect(fix.status).toBe(0);
    expect(JSON.parse(fix.stdout).findings).toEqual([]);
  });

  it('exclude: globs relative to the module root leave files and directories out, even when named', () => {
    const dir = tempTree({ 'go.mod': GOMOD, 'gomapfix.json': JSON.stringify({ exclude: ['gen', '**/*_mock.go'] }), 'gen/g.go': racy('g'), 'x/x_mock.go': racy('x'), 'y/y.go': racy('y') });
    expect(summary(scanJson(['./...'], { cwd: dir }).report)).toEqual(['y/y.go:8 concurrent-map-write counts']);
    expect(scanJson(['gen/g.go'], { cwd: dir }).report.findings).toEqual([]);
  });

  it('tests: false leaves _test.go files out like --tests=false, and --tests=true overrides it', () => {
    const dir = tempTree({ 'go.mod': GOMOD, 'gomapfix.json': JSON.stringify({ tests: false }), 'p.go': safe('p'), 'p_test.go': RACY_TEST });
    expect(scanJson(['.'], { cwd: dir }).report.findings).toEqual([]);
    expect(summary(scanJson(['.', '--tests=true'], { cwd: dir }).report)).toEqual(['p_test.go:9 concurrent-map-write seen']);
  });

  it('maxFileSize skips larger files like --max-file-size, and the flag overrides it', () => {
    const dir = tempTree({ 'go.mod': GOMOD, 'gomapfix.json': JSON.stringify({ maxFileSize: 50 }), 'a.go': racy('p') });
    const small = scanJson(['.'], { cwd: dir }).report;
    expect(small.findings).toEqual([]);
    expect(small.skipped?.map((s) => s.file)).toEqual(['a.go']);
    expect(summary(scanJson(['.', '--max-file-size', '100000'], { cwd: dir }).report)).toEqual(['a.go:8 concurrent-map-write counts']);
  });

  it('hazards: true is --hazards; --no-hazards overrides it', () => {
    const input = readFileSync(join(REPO, 'fixtures', 'map-mutated-during-range', 'close-all-calls-hook-field-under-lock', 'input.go'), 'utf8');
    const plain = tempTree({ 'go.mod': GOMOD, 'input.go': input });
    const withFlag = summary(scanJson(['.', '--hazards'], { cwd: plain }).report);
    expect(withFlag).toEqual(['input.go:30 map-mutated-during-range Pool.idle']);
    expect(scanJson(['.'], { cwd: plain }).report.findings).toEqual([]);
    const configured = tempTree({ 'go.mod': GOMOD, 'gomapfix.json': '{"hazards": true}', 'input.go': input });
    expect(summary(scanJson(['.'], { cwd: configured }).report)).toEqual(withFlag);
    expect(scanJson(['.', '--no-hazards'], { cwd: configured }).report.findings).toEqual([]);
  });

  it('strictTests: true is --strict-tests; --no-strict-tests overrides it', () => {
    const files = { 'go.mod': GOMOD, 'store.go': STORE, 'store_test.go': EARLY_READ_TEST };
    const plain = tempTree(files);
    const withFlag = summary(scanJson(['.', '--strict-tests'], { cwd: plain }).report);
    expect(withFlag).toEqual(['store_test.go:9 unguarded-map-access Store.items']);
    const configured = tempTree({ ...files, 'gomapfix.json': '{"strictTests": true}' });
    expect(summary(scanJson(['.'], { cwd: configured }).report)).toEqual(withFlag);
    expect(scanJson(['.', '--no-strict-tests'], { cwd: configured }).report.findings).toEqual([]);
  });

  it('fix.strategy and fix.style are fix defaults; --strategy and --style override them', () => {
    const dir = tempTree({ 'go.mod': GOMOD, 'gomapfix.json': JSON.stringify({ fix: { strategy: 'mutex-wrap', style: 'wrapper' } }), 'a.go': racy('p') });
    const transforms = (args: string[]) => (JSON.parse(runCli(['fix', '.', '--format', 'json', ...args], { cwd: dir }).stdout).fixes as { transform: string }[]).map((f) => f.transform);
    const configured = runCli(['fix', '.'], { cwd: dir }).stdout;
    expect(configured).toContain('Load(');
    expect(transforms([])).toEqual(['mutex-wrap']);
    expect(runCli(['fix', '.', '--style', 'inline'], { cwd: dir }).stdout).not.toContain('Load(');
    expect(transforms(['--strategy', 'auto'])).not.toEqual([]);
  });

  it.each([
    ['a wrong key', '{"rulez": {}}', 'gomapfix.json: unknown key "rulez" (known keys: exclude, tests, rules, fix, maxFileSize, hazards, strictTests, confidence)'],
    ['a wrong nested key', '{"rules": {"concurent-map-write": false}}', 'gomapfix.json: unknown key "rules.concurent-map-write" (known keys of "rules": concurrent-map-write, unguarded-map-access, map-escapes-lock, map-mutated-during-range)'],
    ['a wrong value type', '{"tests": "no"}', 'gomapfix.json: "tests" must be a boolean, got string "no"'],
    ['a wrong list element', '{"exclude": ["gen", 3]}', 'gomapfix.json: "exclude[1]" must be a string, got number 3'],
    ['a wrong strategy', '{"fix": {"strategy": "atomic"}}', 'gomapfix.json: "fix.strategy" must be one of "atomic-swap", "auto", "collect-then-delete", "mutex-wrap", "snapshot-copy", "sync-map", got "atomic"'],
    ['not an object', '[]', 'gomapfix.json: the top level must be an object, got an array'],
  ])('%s is one line naming the file and the key, exit 2', (_name, text, message) => {
    const dir = tempTree({ 'go.mod': GOMOD, 'gomapfix.json': text, 'a.go': racy('p') });
    for (const cmd of ['scan', 'fix']) {
      const run = runCli([cmd, '.'], { cwd: dir });
      expect(run.status).toBe(2);
      expect(run.stderr).toBe(`gomapfix: ${message}\n`);
      expect(run.stdout).toBe('');
    }
  });

  it('invalid JSON, and both file names at once, are one-line errors too', () => {
    const broken = tempTree({ 'go.mod': GOMOD, '.gomapfix.json': '{"tests": true,}', 'a.go': racy('p') });
    const run = runCli(['scan', '.'], { cwd: broken });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^gomapfix: \.gomapfix\.json: not valid JSON: .+\n$/);
    const both = tempTree({ 'go.mod': GOMOD, 'gomapfix.json': '{}', '.gomapfix.json': '{}', 'a.go': racy('p') });
    const twice = runCli(['scan', '.'], { cwd: both });
    expect(twice.status).toBe(2);
    expect(twice.stderr).toBe('gomapfix: gomapfix.json and .gomapfix.json both exist: keep one\n');
  });

  it('paths in two modules with different configuration files are a usage error', () => {
    const dir = tempTree({ 'a/go.mod': GOMOD, 'a/gomapfix.json': '{}', 'a/a.go': racy('a'), 'b/go.mod': GOMOD, 'b/gomapfix.json': '{"tests": false}', 'b/b.go': racy('b') });
    const run = runCli(['scan', './a', './b'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('gomapfix: ./a and ./b are in modules with different configuration files (a/gomapfix.json, b/gomapfix.json): run gomapfix once per module\n');
  });
});


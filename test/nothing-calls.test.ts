// A finding whose every racing pair needs a function nothing in the scanned code names is low
// (src/analysis/references.ts; minio's IAMSys.HasRolePolicy). The name is looked up across every
// file of the scan, other packages and skipped files too, by scan and by fix alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp, runCli, tempTree } from './helpers/cli.js';
import { calledImplicitly, NameReferences } from '../src/analysis/references.js';
import { fixtureInput } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const refs = (...texts: string[]) => new NameReferences(() => texts);

describe('NameReferences: code that names a function', () => {
  const DECL = 'package p\n\n// HasRolePolicy reports whether any role has a policy.\nfunc (s *IAM) HasRolePolicy() bool {\n\treturn true\n}\n';

  it('its declaration and its doc comment alone: not referenced', () => {
    expect(refs(DECL).referenced('HasRolePolicy')).toBe(false);
  });

  it('a call, a method value, an interface that lists it, a string naming it: referenced', () => {
    for (const use of ['\tok := s.HasRolePolicy()', '\tf := s.HasRolePolicy', 'type Roles interface {\n\tHasRolePolicy() bool\n}', '\trpc.Call("IAM.HasRolePolicy")']) {
      expect(refs(DECL, `package q\n\nfunc use() {\n${use}\n}\n`).referenced('HasRolePolicy'), use).toBe(true);
    }
  });

  it('a block comment or a line comment naming it: not referenced', () => {
    expect(refs(DECL, 'package q\n\n/*\nCall HasRolePolicy first.\n*/\n\n// HasRolePolicy again\n').referenced('HasRolePolicy')).toBe(false);
  });

  it('a //go:linkname or //export directive naming it: referenced', () => {
    expect(refs(DECL, 'package q\n\n//go:linkname hrp p.HasRolePolicy\nfunc hrp() bool\n').referenced('HasRolePolicy')).toBe(true);
    expect(refs(DECL, 'package q\n\n//export HasRolePolicy\n').referenced('HasRolePolicy')).toBe(true);
  });

  it('another declaration of the name (a method of another type) is no reference; a longer name containing it is none either', () => {
    expect(refs(DECL, 'package q\n\nfunc (o Other) HasRolePolicy() bool { return false }\n\nfunc HasRolePolicyCount() int { return 0 }\n').referenced('HasRolePolicy')).toBe(false);
  });

  it('functions the toolchain calls by themselves are never candidates', () => {
    for (const n of ['main', 'init', 'TestPolicy', 'Test', 'BenchmarkLoad', 'FuzzParse', 'Example', 'ExampleIAM_Policy']) expect(calledImplicitly(n), n).toBe(true);
    for (const n of ['Testing', 'Initialize', 'mainLoop', 'HasRolePolicy']) expect(calledImplicitly(n), n).toBe(false);
  });
});

const GO_MOD = 'module example.com/iam\n\ngo 1.19\n';
// The fixture: the unlocked read is in the unexported hasRolePolicy, which nothing calls.
const IAM = fixtureInput('unguarded-map-access/method-nothing-calls').replace('package fixture', 'package iam');
const READ_LINE = IAM.split('\n').indexOf('\treturn len(sys.roles) > 0') + 1;
// Its exported original (minio's HasRolePolicy).
const EXPORTED = IAM.replaceAll('hasRolePolicy', 'HasRolePolicy');
// What the fixture's test does: something starts the loading (Init is named; the reader is not).
const START = 'package iam\n\nfunc Start(load <-chan [2]string) *IAM {\n\ts := &IAM{}\n\ts.Init(load)\n\treturn s\n}\n';
const MAIN = 'package main\n\nimport "example.com/iam/internal/iam"\n\nfunc main() {\n\tvar s iam.IAM\n\t_ = s.HasRolePolicy()\n}\n';

function report(files: Record<string, string>, args: string[] = ['scan', '.']) {
  const dir = tempTree({ 'go.mod': GO_MOD, ...files });
  return JSON.parse(runCli([...args, '--format', 'json'], { cwd: dir }).stdout) as { findings: { file: string; line: number; confidence: string; confidenceReason?: string }[]; skipped?: { file: string }[] };
}
const reads = (r: ReturnType<typeof report>) => r.findings.filter((f) => f.line === READ_LINE && f.file.endsWith('iam.go'));

describe('scan and fix: a race only in a function nothing calls', () => {
  it('an unexported method nothing calls (the fixture): low, naming it; the internal mark is not output', () => {
    const [f] = reads(report({ 'iam/iam.go': IAM, 'iam/start.go': START }));
    expect(f?.confidence).toBe('low');
    expect(f?.confidenceReason).toMatch(/^nothing in the scanned modules calls hasRolePolicy or refers to it \(only its declaration names it\), and every racing pair of this finding has an access in it/);
    expect(f).not.toHaveProperty('onlyIn');
  });

  it('another file of the package calls it: high', () => {
    const user = 'package iam\n\nfunc (sys *IAM) Describe() bool { return sys.hasRolePolicy() }\n';
    expect(reads(report({ 'iam/iam.go': IAM, 'iam/start.go': START, 'iam/describe.go': user })).map((f) => f.confidence)).toEqual(['high']);
  });

  it('the exported original in an importable package: API whose callers the scan never sees, high', () => {
    expect(reads(report({ 'iam/iam.go': EXPORTED, 'iam/start.go': START })).map((f) => f.confidence)).toEqual(['high']);
  });

  it('the exported original under internal/, which only this module can import: low when nothing names it, high when main calls it', () => {
    const files = { 'internal/iam/iam.go': EXPORTED, 'internal/iam/start.go': START };
    expect(reads(report(files)).map((f) => f.confidence)).toEqual(['low']);
    expect(reads(report({ ...files, 'cmd/main.go': MAIN })).map((f) => f.confidence)).toEqual(['high']);
  });

  it('the exported original in a package under cmd/, the commands\' own code by Go convention (minio\'s cmd): low when nothing names it, high when main calls it', () => {
    const files = { 'cmd/iam/iam.go': EXPORTED, 'cmd/iam/start.go': START };
    const [f] = reads(report(files));
    expect(f?.confidence).toBe('low');
    expect(f?.confidenceReason).toMatch(/^nothing in the scanned modules calls HasRolePolicy/);
    const main = MAIN.replace('example.com/iam/internal/iam', 'example.com/iam/cmd/iam');
    expect(reads(report({ ...files, 'main.go': main })).map((x) => x.confidence)).toEqual(['high']);
  });

  it('a directory whose name only starts with cmd (cmdutil/) is an importable package like any other: high', () => {
    expect(reads(report({ 'cmdutil/iam/iam.go': EXPORTED, 'cmdutil/iam/start.go': START })).map((f) => f.confidence)).toEqual(['high']);
  });

  it('a scan or fix of the package directory alone still sees the caller elsewhere in its module: high', () => {
    const files = { 'internal/iam/iam.go': EXPORTED, 'internal/iam/start.go': START, 'cmd/main.go': MAIN };
    expect(reads(report(files, ['scan', 'internal/iam'])).map((f) => f.confidence)).toEqual(['high']);
    expect(reads(report(files, ['fix', 'internal/iam', '--include-review', '--confidence', 'high'])).map((f) => f.confidence)).toEqual(['high']);
  });

  it('a generated file the scan skips calls it: high (skipped files still name functions)', () => {
    const gen = '// Code generated by hand for this test. DO NOT EDIT.\n\npackage iam\n\nfunc generated(s *IAM) bool { return s.hasRolePolicy() }\n';
    const r = report({ 'iam/iam.go': IAM, 'iam/start.go': START, 'iam/zz_generated.go': gen });
    expect(reads(r).map((f) => f.confidence)).toEqual(['high']);
    expect((r.skipped ?? []).map((s) => s.file)).toEqual([expect.stringMatching(/zz_generated\.go$/)]);
  });

  it('fix --confidence high leaves it out; without the filter it is planned like any finding', () => {
    const files = { 'iam/iam.go': IAM, 'iam/start.go': START };
    const high = report(files, ['fix', '.', '--include-review', '--confidence', 'high']);
    expect(reads(high)).toEqual([]);
    const all = report(files, ['fix', '.', '--include-review']) as ReturnType<typeof report> & { fixes: unknown[] };
    expect(reads(all).map((f) => f.confidence)).toEqual(['low']);
    expect(all.fixes.length).toBeGreaterThan(0);
  });
});

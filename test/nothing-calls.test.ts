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
const IAM = fixtureInput('unguarded-map-access/method-nothing-calls').replace('package fixture', 'package iam');
const READ_LINE = IAM.split('\n').indexOf('\treturn len(sys.roles) > 0') + 1;
// What the fixture's test does: something starts the loading (Init is named; HasRolePolicy is not).
const START = 'package iam\n\nfunc Start(load <-chan [2]string) *IAM {\n\ts := &IAM{}\n\ts.Init(load)\n\treturn s\n}\n';

function scanFindings(files: Record<string, string>, args: string[] = []) {
  const dir = tempTree({ 'go.mod': GO_MOD, ...files });
  const run = runCli(['scan', '.', '--format', 'json', ...args], { cwd: dir });
  return (JSON.parse(run.stdout) as { findings: { file: string; line: number; confidence: string; confidenceReason?: string; onlyIn?: unknown }[] }).findings.filter((f) => f.line === READ_LINE && f.file.endsWith('iam.go'));
}

describe('scan and fix: a race only in a method nothing calls', () => {
  it('nothing names HasRolePolicy (the fixture): low, naming it; the internal mark is not output', () => {
    const [f] = scanFindings({ 'iam/iam.go': IAM, 'iam/start.go': START });
    expect(f?.confidence).toBe('low');
    expect(f?.confidenceReason).toMatch(/^nothing in the scanned code calls HasRolePolicy or refers to it \(only its declaration names it\)/);
    expect(f).not.toHaveProperty('onlyIn');
  });

  it('another package of the scan calls it: high', () => {
    const user = 'package main\n\nimport "example.com/iam/iam"\n\nfunc main() {\n\tvar s iam.IAM\n\t_ = s.HasRolePolicy()\n}\n';
    expect(scanFindings({ 'iam/iam.go': IAM, 'iam/start.go': START, 'cmd/main.go': user })[0]?.confidence).toBe('high');
  });

  it('a scan or fix of the package directory alone still sees the caller elsewhere in its module: high', () => {
    const user = 'package main\n\nimport "example.com/iam/iam"\n\nfunc main() {\n\tvar s iam.IAM\n\t_ = s.HasRolePolicy()\n}\n';
    const dir = tempTree({ 'go.mod': GO_MOD, 'iam/iam.go': IAM, 'iam/start.go': START, 'cmd/main.go': user });
    const scanned = JSON.parse(runCli(['scan', 'iam', '--format', 'json'], { cwd: dir }).stdout) as { findings: { line: number; confidence: string }[] };
    expect(scanned.findings.filter((f) => f.line === READ_LINE).map((f) => f.confidence)).toEqual(['high']);
    const fixed = JSON.parse(runCli(['fix', 'iam', '--include-review', '--confidence', 'high', '--format', 'json'], { cwd: dir }).stdout) as { findings: { line: number; confidence: string }[] };
    expect(fixed.findings.filter((f) => f.line === READ_LINE).map((f) => f.confidence)).toEqual(['high']);
  });

  it('a generated file the scan skips calls it: high (skipped files still name functions)', () => {
    const gen = '// Code generated by hand for this test. DO NOT EDIT.\n\npackage iam\n\nfunc generated(s *IAM) bool { return s.HasRolePolicy() }\n';
    const files = { 'iam/iam.go': IAM, 'iam/start.go': START, 'iam/zz_generated.go': gen };
    expect(scanFindings(files)[0]?.confidence).toBe('high');
    const dir = tempTree({ 'go.mod': GO_MOD, ...files });
    const report = JSON.parse(runCli(['scan', '.', '--format', 'json'], { cwd: dir }).stdout) as { skipped: { file: string }[] };
    expect(report.skipped.map((s) => s.file)).toEqual([expect.stringMatching(/zz_generated\.go$/)]);
  });

  it('fix --confidence high leaves it out; without the filter it is planned like any finding', () => {
    const dir = tempTree({ 'go.mod': GO_MOD, 'iam/iam.go': IAM, 'iam/start.go': START });
    const plan = (args: string[]) => JSON.parse(runCli(['fix', '.', '--include-review', '--format', 'json', ...args], { cwd: dir }).stdout) as { findings: { line: number; confidence: string }[]; fixes: unknown[] };
    const high = plan(['--confidence', 'high']);
    expect(high.findings.filter((f) => f.line === READ_LINE)).toEqual([]);
    const all = plan([]);
    expect(all.findings.filter((f) => f.line === READ_LINE).map((f) => f.confidence)).toEqual(['low']);
    expect(all.fixes.length).toBeGreaterThan(0);
  });
});

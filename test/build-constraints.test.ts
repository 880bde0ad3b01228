// Files outside the target platform's build are left out, as `go vet` leaves them out.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { excludedByConstraints } from '../src/files/build-constraints.js';
import { scan } from '../src/index.js';

const linux = { goos: 'linux', goarch: 'amd64' };

describe('build constraints', () => {
  it.each([
    ['a_windows.go', '', 'file name is for windows'],
    ['a_linux.go', '', null],
    ['a_linux_arm64.go', '', 'file name is for linux/arm64'],
    ['a_amd64.go', '', null],
    ['a_js_test.go', '', 'file name is for js'],
    ['zz_generated.go', '', null],
    ['a.go', '//go:build windows || plan9\n\npackage a\n', '//go:build windows || plan9'],
    ['a.go', '//go:build unix && !android\n\npackage a\n', null],
    ['a.go', '//go:build ignore\n\npackage main\n', '//go:build ignore'],
    ['a.go', '//go:build go1.18\n\npackage a\n', null],
    ['a.go', '// Copyright\n\n// +build darwin,amd64 freebsd\n\npackage a\n', '(darwin && amd64 || freebsd)'],
    ['a.go', '// +build linux\n\npackage a\n', null],
    ['a.go', 'package a\n\n//go:build windows\n', null],
  ])('%s %j → %s', (name, text, want) => {
    const got = excludedByConstraints(name, text, linux);
    if (want === null) expect(got).toBeNull();
    else expect(got).toContain(want);
  });

  const dir = mkdtempSync(join(tmpdir(), 'gomapfix-tags-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const racy = (tag: string) =>
    `${tag}package p\n\nvar counts = map[int]int{}\n\nfunc Run() {\n\tfor i := 0; i < 4; i++ {\n\t\tgo func(i int) { counts[i]++ }(i)\n\t}\n}\n`;

  it('a racy file for another platform is reported as skipped, not analysed; --all-platforms analyses it', async () => {
    writeFileSync(join(dir, 'race_plan9.go'), racy(''));
    const target = await scan(['.'], { cwd: dir, workers: 0 });
    expect(target.findings).toEqual([]);
    expect(target.skipped).toEqual([{ file: 'race_plan9.go', reason: expect.stringMatching(/^not in the \S+ build \(file name is for plan9\)/) }]);
    const all = await scan(['.'], { cwd: dir, workers: 0, allPlatforms: true });
    expect(all.findings.map((f) => `${f.rule} ${f.file}:${f.line}`)).toEqual(['concurrent-map-write race_plan9.go:7']);
  });
});

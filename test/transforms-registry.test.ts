// The registry in transforms/index.ts and the folders under transforms/ must agree.
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TRANSFORMS } from '../transforms/index.js';
import { RULE_IDS } from '../src/analysis/model.js';

const DIR = join(import.meta.dirname, '..', 'transforms');

describe('transform registry', () => {
  const folders = readdirSync(DIR).filter((n) => statSync(join(DIR, n)).isDirectory()).sort();

  it('lists exactly the transform folders, sorted by id', () => {
    expect(TRANSFORMS.map((t) => t.id)).toEqual(folders);
  });

  it('each folder has index.ts and README.md, and its transform is named after the folder', async () => {
    for (const name of folders) {
      expect(existsSync(join(DIR, name, 'index.ts')), `${name}/index.ts`).toBe(true);
      expect(existsSync(join(DIR, name, 'README.md')), `${name}/README.md`).toBe(true);
      const mod = (await import(/* @vite-ignore */ join(DIR, name, 'index.ts'))) as { default: { id: string } };
      expect(mod.default.id).toBe(name);
    }
  });

  it('every transform names the rules it applies to, all of them real rules', () => {
    for (const t of TRANSFORMS) {
      expect(t.appliesTo.length).toBeGreaterThan(0);
      for (const r of t.appliesTo) expect(RULE_IDS).toContain(r);
      expect(t.title.length).toBeGreaterThan(0);
      expect(t.summary.length).toBeGreaterThan(0);
    }
  });
});

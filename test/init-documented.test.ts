// A function whose doc comment says it is to be called during package initialisation ("This
// should be called during init()", caddy's RegisterNetwork; "intended to be called from the init
// function", crypto.RegisterHash) runs before main and every goroutine, when the package's own
// calls of it are in init too (docs/ordering.md, "Documented for init"). The counter-variants race.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp } from './helpers/cli.js';
import { fixtureInput, lineOf, scanRules, swapIn } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const BASE = fixtureInput('negative/registry-documented-for-init');
const DOC = '// RegisterCodec makes a codec available under name. This should be called during init()\n// and panics if the name is already registered.\n';
const WRITE = 'codecs[name] = c';
const doc = (text: string) => swapIn(BASE, DOC, text);

describe('functions documented to be called during init', () => {
  it('"This should be called during init()" and only init calls it (the fixture): no finding', () => {
    expect(scanRules(BASE)).toEqual([]);
  });

  it('"It is intended to be called from the init function": no finding', () => {
    expect(scanRules(doc('// RegisterCodec makes a codec available under name.\n// It is intended to be called from the init function of codec packages.\n'))).toEqual([]);
  });

  it('no such sentence: the registration races with the readers', () => {
    const src = doc('// RegisterCodec makes a codec available under name.\n');
    expect(scanRules(src)).toContain(`concurrent-map-write@${lineOf(src, WRITE)}`);
  });

  it('"must not be called during init": races', () => {
    const src = doc('// RegisterCodec makes a codec available under name. It must not be called during init().\n');
    expect(scanRules(src)).toContain(`concurrent-map-write@${lineOf(src, WRITE)}`);
  });

  it('the package calls it outside init too (Reload): races', () => {
    const src = swapIn(BASE, '// Serve encodes', '// Reload registers a codec at run time.\nfunc Reload() {\n\tRegisterCodec("title", strings.Title)\n}\n\n// Serve encodes');
    expect(scanRules(src)).toContain(`concurrent-map-write@${lineOf(src, WRITE)}`);
  });
});

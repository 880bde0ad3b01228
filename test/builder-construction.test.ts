// Builders: `r := newRouter().withDefaults(home)` holds the value newRouter built when every
// return of withDefaults hands back its own receiver, not published by then (docs/ordering.md,
// "Builders"). Writes through r before `go r.serve()` are construction; a builder that hands back
// another value, or publishes its receiver, keeps the finding.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp } from './helpers/cli.js';
import { fixtureInput, lineOf, swapIn, scanRules } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const BASE = fixtureInput('negative/builder-result-filled-before-go');
const FILL = 'r.routes["/health"] = "health"';

const scan = scanRules;
const swap = (from: string, to: string) => swapIn(BASE, from, to);

describe('a value built through a builder chain', () => {
  it('filled before `go r.serve()` (the fixture): no finding', () => {
    expect(scan(BASE)).toEqual([]);
  });

  it('the builder hands back a router from elsewhere: the fill races with its server', () => {
    const src = swap('\tr.routes["/"] = home\n\treturn r\n', '\tr.routes["/"] = home\n\tif home == "" {\n\t\treturn fallback\n\t}\n\treturn r\n').replace(
      'func newRouter() *Router {',
      'var fallback = StartRouter("fallback")\n\nfunc newRouter() *Router {',
    );
    expect(scan(src)).toContain(`unguarded-map-access@${lineOf(src, FILL)}`);
  });

  it('the builder starts serving its receiver before handing it back: races', () => {
    const src = swap('\tr.routes["/"] = home\n\treturn r\n', '\tr.routes["/"] = home\n\tgo r.serve()\n\treturn r\n').replace('\tr.routes["/health"] = "health"\n\tgo r.serve()\n', '\tr.routes["/health"] = "health"\n');
    expect(scan(src)).toContain(`unguarded-map-access@${lineOf(src, FILL)}`);
  });

  it('the builder stores its receiver in a package variable: races', () => {
    const src = swap('\tr.routes["/"] = home\n\treturn r\n', '\tr.routes["/"] = home\n\tlatest = r\n\treturn r\n').replace('func newRouter() *Router {', 'var latest *Router\n\nfunc newRouter() *Router {');
    expect(scan(src)).toContain(`unguarded-map-access@${lineOf(src, FILL)}`);
  });

  it('the fill comes after `go r.serve()`: races', () => {
    const src = swap('\tr.routes["/health"] = "health"\n\tgo r.serve()\n', '\tgo r.serve()\n\tr.routes["/health"] = "health"\n');
    expect(scan(src)).toContain(`unguarded-map-access@${lineOf(src, FILL)}`);
  });
});

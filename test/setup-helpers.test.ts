// What a set-up method (`Init`, `Setup`, `Provision`, …, run by the package's callers) does is
// done before the value is used, and so is what the unexported helpers only it calls do
// (docs/rules.md, "Lifecycle methods"; caddy's App.Provision → Server.provisionUnderscoreHeaders).
// The counter-variants race.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp } from './helpers/cli.js';
import { fixtureInput, lineOf, scanRules, swapIn } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const BASE = fixtureInput('negative/provision-helper-fills-before-serving');
const WRITE = 's.exactDrop = make(map[string]struct{})';

describe('helpers only a set-up method calls', () => {
  it('Provision builds the set through provisionHeaders before serving (the fixture): no finding', () => {
    expect(scanRules(BASE)).toEqual([]);
  });

  it('the method is not a set-up one (Refresh): the helper races with the requests', () => {
    const src = swapIn(BASE, 'func (app *App) Provision() error {', 'func (app *App) Refresh() error {');
    expect(scanRules(src)).toContain(`concurrent-map-write@${lineOf(src, WRITE)}`);
  });

  it('the helper is exported (anyone may call it at any time): races', () => {
    const src = BASE.replaceAll('provisionHeaders()', 'ProvisionHeaders()');
    expect(scanRules(src)).toContain(`concurrent-map-write@${lineOf(src, WRITE)}`);
  });

  it('a request handler calls the helper too (a reload per request): races', () => {
    const src = swapIn(BASE, '\tn := 0\n', '\tif r.URL.Path == "/reload" {\n\t\t_ = s.provisionHeaders()\n\t}\n\tn := 0\n');
    expect(scanRules(src)).toContain(`concurrent-map-write@${lineOf(src, WRITE)}`);
  });
});

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

// grpc-go's RegisterService: "This must be called before invoking Serve." Its documented contract
// makes it a set-up method (docs/ordering.md, "Documented order").
describe('a method documented to be called before another method of its type', () => {
  const DOC = fixtureInput('negative/register-documented-before-serve');
  const READ = 'h, ok := s.services[service]';
  const read = (src: string) => `unguarded-map-access@${lineOf(src, READ)}`;

  it('RegisterService "must be called before invoking Serve" (the fixture): no finding', () => {
    expect(scanRules(DOC)).toEqual([]);
  });

  it('without that sentence: the handlers\' unlocked read races with registration', () => {
    const src = swapIn(DOC, ' This must be called before\n// invoking Serve.', '');
    expect(scanRules(src)).toContain(read(src));
  });

  it('the method it names does not exist on the type: races', () => {
    const src = swapIn(DOC, 'invoking Serve.', 'invoking Listen.');
    expect(scanRules(src)).toContain(read(src));
  });

  it('a request handler registers a service too (after Serve started): races', () => {
    const src = swapIn(DOC, '\t\t\tout <- s.handle(service, arg)\n', '\t\t\ts.RegisterService(arg, nil)\n\t\t\tout <- s.handle(service, arg)\n');
    expect(scanRules(src)).toContain(read(src));
  });

  it('"must not be called before Serve" says nothing of the kind: races', () => {
    const src = swapIn(DOC, 'This must be called before\n// invoking Serve.', 'This must not be called before\n// invoking Serve.');
    expect(scanRules(src)).toContain(read(src));
  });
});

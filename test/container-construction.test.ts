// Containers of fresh values: a value stored into a map or slice its function made (`ls[a] = l`,
// `order = append(order, l)`) is published when that container is, and a range variable over it
// (or `l := ls[a]`) holds one of those values. Writes through them before the map is published are construction
// (docs/ordering.md, "Containers of fresh values"). A map that holds anything else, or is
// published before the writes, keeps the finding.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp } from './helpers/cli.js';
import { fixtureInput, lineOf, scanRules, swapIn } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const BASE = fixtureInput('negative/fresh-values-configured-in-local-map');
const FILL = 'l.handlers[k] = v';
const ROOT = 'l.handlers["/"] = "root"';

const swap = (from: string, to: string) => swapIn(BASE, from, to);
/** `src` with a package-level listener that already serves, `serving`. */
const withServing = (src: string) =>
  src.replace('func newListener(', 'var serving = startServing()\n\nfunc startServing() *listener {\n\tl := newListener("default")\n\tgo l.serve()\n\treturn l\n}\n\nfunc newListener(');
// The rule reports a map once, at its first racing write: the fill, or the write of "/" before it.
const reported = (src: string) => expect(scanRules(src)).toSatisfy((found: string[]) => found.some((f) => f === `concurrent-map-write@${lineOf(src, FILL)}` || f === `concurrent-map-write@${lineOf(src, ROOT)}`));

describe('fresh values kept in a map the function made', () => {
  it('filled before the map is returned (the fixture): no finding', () => {
    expect(scanRules(BASE)).toEqual([]);
  });

  it('the map also holds a listener that already serves: the write of "/" races with it', () => {
    const src = withServing(swap('\tls := make(map[string]*listener)\n', '\tls := make(map[string]*listener)\n\tls["default"] = serving\n'));
    reported(src);
  });

  it('the slice also holds a listener that already serves: the fill races with it', () => {
    const src = withServing(swap('\tvar order []*listener\n', '\torder := []*listener{serving}\n'));
    reported(src);
  });

  it('a serving listener is appended to the slice: the fill races with it', () => {
    const src = withServing(swap('\t\t\torder = append(order, l)\n', '\t\t\torder = append(order, l, serving)\n'));
    reported(src);
  });

  it('the slice is published before the fill: races', () => {
    const src = swap('\tfor _, l := range order {\n', '\tlatest = order\n\tfor _, l := range order {\n').replace('// Server runs one goroutine per listener.', 'var latest []*listener\n\n// Server runs one goroutine per listener.');
    reported(src);
  });

  it('a listener starts serving as soon as it is made: the later writes race', () => {
    const src = swap('\t\t\tls[a] = l\n', '\t\t\tls[a] = l\n\t\t\tgo l.serve()\n').replace('\tfor _, l := range s.ls {\n\t\tgo l.serve()\n\t}\n', '');
    reported(src);
  });

  it('ranging over a map the caller passed in: its listeners may already serve', () => {
    const src = swap('func configure(addrs []string, extra map[string]string) map[string]*listener {\n\tls := make(map[string]*listener)\n', 'func configure(addrs []string, extra map[string]string) map[string]*listener {\n\treturn fill(make(map[string]*listener), addrs, extra)\n}\n\nfunc fill(ls map[string]*listener, addrs []string, extra map[string]string) map[string]*listener {\n').replace(
      '\treturn s\n}',
      '\treturn s\n}\n\n// Extend adds handlers to listeners that serve.\nfunc (s *Server) Extend(extra map[string]string) {\n\tfill(s.ls, nil, extra)\n}',
    );
    reported(src);
  });
});

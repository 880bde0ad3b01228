// A struct held by value in a field (`state State` in Store) is one instance per holder: an access
// through another name reaches another instance unless the held value is handed on (its address
// kept, copied, returned or stored), passed to a parameter the access goes through, or reached
// by the struct's own methods (docs/rules.md, "Struct values held by different types").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp } from './helpers/cli.js';
import { fixtureInput, lineOf, scanFiles, swapIn } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const BASE = fixtureInput('negative/held-value-and-its-copies');

const scan = (files: Record<string, string>): string[] => scanFiles(files).map((f) => `${f.rule}@${f.file.split('/').pop()}:${f.line}`);
const swap = (from: string, to: string) => swapIn(BASE, from, to);

describe('a struct held by value in a field', () => {
  it('trimmed only as a deep copy (the fixture): no finding', () => {
    expect(scan({ 'input.go': BASE })).toEqual([]);
  });

  it('passed by address to the function the goroutine runs: races', () => {
    const src = swap('\t\tst := s.Copy()\n\t\ttrim(st, max)', '\t\tst := s.Copy()\n\t\ttrim(&s.state, max)');
    expect(scan({ 'input.go': src })).toContain(`concurrent-map-write@input.go:${lineOf(src, 's.state.Pending[k] = k')}`);
  });

  it('handed out by address instead of copied: races', () => {
    const src = swap('\treturn cp\n}', '\t_ = cp\n\treturn &s.state\n}');
    expect(scan({ 'input.go': src })).toContain(`concurrent-map-write@input.go:${lineOf(src, 's.state.Pending[k] = k')}`);
  });

  it('copied as a whole value (the copy shares its maps): races', () => {
    const src = swap('\treturn cp\n}', '\t_ = cp\n\tshallow := s.state\n\treturn &shallow\n}');
    expect(scan({ 'input.go': src })).toContain(`concurrent-map-write@input.go:${lineOf(src, 's.state.Pending[k] = k')}`);
  });

  it('reached by a method of the struct run on the held value: races', () => {
    const src =
      swap('\t\tst := s.Copy()\n\t\ttrim(st, max)', '\t\tst := s.Copy()\n\t\ts.state.trimTo(max)') +
      '\nfunc (st *State) trimTo(max int) {\n\tfor k := range st.Pending {\n\t\tif k > max {\n\t\t\tdelete(st.Pending, k)\n\t\t}\n\t}\n}\n';
    expect(scan({ 'input.go': src }).some((f) => f.startsWith('concurrent-map-write@') || f.startsWith('map-mutated-during-range@'))).toBe(true);
  });

  it('a parameter carrying the held value that is kept: races', () => {
    const src = swap('\treturn len(st.Pending) + st.Delivered\n}', '\tlast = st\n\treturn len(st.Pending) + st.Delivered\n}\n\nvar last *State');
    expect(scan({ 'input.go': src })).toContain(`concurrent-map-write@input.go:${lineOf(src, 's.state.Pending[k] = k')}`);
  });

  it('passed to a parameter of interface type that keeps it: races', () => {
    const src =
      swap('\treturn encode(&s.state)\n}', '\tkeep(&s.state)\n\treturn encode(&s.state)\n}') +
      '\nvar kept []any\n\nfunc keep(v any) {\n\tkept = append(kept, v)\n}\n';
    expect(scan({ 'input.go': src })).toContain(`concurrent-map-write@input.go:${lineOf(src, 's.state.Pending[k] = k')}`);
  });

  it('aliased only by a test: the production accesses stay apart', () => {
    const test = 'package fixture\n\nimport "testing"\n\nfunc TestAlias(t *testing.T) {\n\ts := NewStore()\n\tst := s.Copy()\n\ts.state = *st\n\tt.Logf("%+v", s.state)\n}\n';
    expect(scan({ 'input.go': BASE, 'alias_test.go': test })).toEqual([]);
  });
});

// A fresh value handed to an in-package helper that stores it somewhere shared is published by
// that call (session 19, docs/ordering.md "Handed to a helper"): `t.register(p)` appending p to
// t.peers, where a goroutine ranges the peers, ends p's construction as `t.peers = append(…, p)`
// written in place would. Before, only a store, send or `go` in the function itself published a
// value, so the write after register counted as construction and the race (proven by the
// fixture's race test) was missed. A method value (`b.subscribe(c.onEvent)`) carries its receiver:
// handing it to such a helper hands the receiver's value on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp } from './helpers/cli.js';
import { fixtureInput, lineOf, scanFiles, swapIn } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const SRC = fixtureInput('unguarded-map-access/written-after-helper-registers-it');
const found = (src: string) => scanFiles({ 'input.go': src }).map((f) => `${f.rule}@${f.line}:${f.confidence}`);

const REGISTER = '\tt.mu.Lock()\n\tt.peers = append(t.peers, p)\n\tt.mu.Unlock()\n';

describe('a value handed to a helper that stores it', () => {
  it('the write after the call is reported, the one before is construction (the fixture)', () => {
    expect(found(SRC)).toEqual([`unguarded-map-access@${lineOf(SRC, '\tp.routes[addr] = 1')}:high`]);
  });

  it('a helper that keeps the value to itself publishes nothing: no finding', () => {
    const src = swapIn(swapIn(SRC, REGISTER, '\tt.mu.Lock()\n\tt.count += len(p.routes)\n\tt.mu.Unlock()\n'), '\tpeers []*Peer\n', '\tpeers []*Peer\n\tcount int\n');
    expect(found(src)).toEqual([]);
  });

  it('a helper storing the value into a package-level list publishes it too', () => {
    const src = swapIn(
      swapIn(swapIn(SRC, REGISTER, '\tt.mu.Lock()\n\tall = append(all, p)\n\tt.mu.Unlock()\n'), '\t\t\tfor _, p := range t.peers {\n', '\t\t\tfor _, p := range all {\n'),
      '// Table holds every registered peer.\n',
      'var all []*Peer\n\n// Table holds every registered peer.\n',
    );
    expect(found(src)).toEqual([`unguarded-map-access@${lineOf(src, '\tp.routes[addr] = 1')}:high`]);
  });

  it('a constructor that registers what it returns does not return a value under construction', () => {
    const src = swapIn(
      SRC,
      '\tp := &Peer{routes: map[string]int{}}\n\tp.routes["self"] = 0\n\tt.register(p)\n\tp.routes[addr] = 1\n\treturn p\n}\n',
      '\tp := t.newPeer()\n\tp.routes[addr] = 1\n\treturn p\n}\n\n// newPeer builds a peer and registers it.\nfunc (t *Table) newPeer() *Peer {\n\tp := &Peer{routes: map[string]int{}}\n\tp.routes["self"] = 0\n\tt.register(p)\n\treturn p\n}\n',
    );
    expect(found(src)).toEqual([`unguarded-map-access@${lineOf(src, '\tp.routes[addr] = 1')}:high`]);
  });

  // A helper storing the value into its receiver hands it to whatever the caller passed there.
  const NEW_TABLE = (between: string) =>
    SRC + `\n// NewTable builds a table with its first peer.\nfunc NewTable(addr string) *Table {\n\tnt := &Table{}\n\tp := &Peer{routes: map[string]int{}}\n\tnt.register(p)\n${between}\tp.routes[addr] = 1\n\treturn nt\n}\n`;

  it('stored into a table the caller is still building: construction until the table is published, no finding there', () => {
    const src = NEW_TABLE('');
    expect(found(src)).toEqual([`unguarded-map-access@${lineOf(SRC, '\tp.routes[addr] = 1')}:high`]);
  });

  it('the table started before the write publishes the peer with it: reported', () => {
    const src = NEW_TABLE('\tnt.Gossip(1)\n');
    const write = src.split('\n').lastIndexOf('\tp.routes[addr] = 1') + 1;
    expect(found(src)).toEqual([`unguarded-map-access@${lineOf(SRC, '\tp.routes[addr] = 1')}:high`, `unguarded-map-access@${write}:high`]);
  });

  it('registered only after the write: construction, no finding', () => {
    const src = swapIn(SRC, '\tt.register(p)\n\tp.routes[addr] = 1\n', '\tp.routes[addr] = 1\n\tt.register(p)\n');
    expect(found(src)).toEqual([]);
  });
});

const SUB = fixtureInput('unguarded-map-access/written-after-method-value-subscribed');
const KEEP = '\tb.mu.Lock()\n\tb.subs = append(b.subs, cb)\n\tb.mu.Unlock()\n';

describe('a method value handed to a helper that stores it', () => {
  it('hands its receiver on: the seed after subscribe is reported (low: the goroutine calls it through a function value)', () => {
    expect(found(SUB)).toEqual([`unguarded-map-access@${lineOf(SUB, '\tc.seen["start"] = 1')}:low`]);
  });

  it('a helper that calls the callback at once and keeps nothing publishes nothing: no finding', () => {
    expect(found(swapIn(SUB, KEEP, '\tcb("subscribed")\n'))).toEqual([]);
  });

  it('seeded before subscribe: construction, no finding', () => {
    expect(found(swapIn(SUB, '\tb.subscribe(c.onEvent)\n\tc.seen["start"] = 1\n', '\tc.seen["start"] = 1\n\tb.subscribe(c.onEvent)\n'))).toEqual([]);
  });
});

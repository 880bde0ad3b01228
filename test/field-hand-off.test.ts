// A `go` statement evaluates its function value and arguments before the goroutine starts:
// `go n.srv.handleWriteError()` hands the goroutine the server n.srv points at, not n (session 20,
// docs/ordering.md "Goroutines handed a field"). When the field holds what n's function was given
// (`srv: srv`, a parameter), that server reaches n only once n is stored into it, which is a
// publication of its own; so such a goroutine, started by a method called on n while n is built,
// does not end n's construction. Before, any goroutine a method of n started published n (nats'
// initRaftNode, raft.go:548, judged false).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp } from './helpers/cli.js';
import { fixtureInput, lineOf, scanFiles, swapIn } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const SRC = fixtureInput('negative/goroutine-handed-only-a-foreign-field');
const found = (src: string) => scanFiles({ 'input.go': src }).map((f) => `${f.rule}@${f.line}:${f.confidence}`);
const SEED = '\tif len(n.peers) == 0 {';
const reported = (src: string) => [`unguarded-map-access@${lineOf(src, SEED)}:high`];

describe('a goroutine handed only a field of a value under construction', () => {
  it('handed the server the node was given: the seed is construction (the fixture), no finding', () => {
    expect(found(SRC)).toEqual([]);
  });

  it('handed the node itself (`go n.report()`): published, the seed is reported', () => {
    const src = swapIn(
      swapIn(SRC, '\tgo n.srv.handleWriteError()\n', '\tgo n.report()\n'),
      '// loadSnapshot restores',
      '// report hands the error to the server.\nfunc (n *Node) report() { n.srv.handleWriteError() }\n\n// loadSnapshot restores',
    );
    expect(found(src)).toEqual(reported(src));
  });

  it('the node also passed as an argument (`go n.srv.handleWriteError(n)`): reported', () => {
    const src = swapIn(
      swapIn(SRC, '\tgo n.srv.handleWriteError()\n', '\tgo n.srv.handleWriteError(n)\n'),
      'func (s *Server) handleWriteError() {',
      'func (s *Server) handleWriteError(from *Node) {',
    );
    expect(found(src)).toEqual(reported(src));
  });

  it('a server the node builds itself (`srv: &Server{}`) may hold the node: reported', () => {
    const src = swapIn(SRC, 'n := &Node{group: group, srv: srv, peers: map[string]int{}}', 'n := &Node{group: group, srv: &Server{}, peers: map[string]int{}}');
    expect(found(src)).toEqual(reported(src));
  });

  it('a field the package assigns elsewhere (`n.srv = s`) may point at a value holding the node: reported', () => {
    const src = swapIn(SRC, '// loadSnapshot restores', '// moveTo hands the node to another server.\nfunc (n *Node) moveTo(s *Server) { n.srv = s }\n\n// loadSnapshot restores');
    expect(found(src)).toEqual(reported(src));
  });

  it('a field whose address the package takes (`&n.srv`) may be set through it: reported', () => {
    const src = swapIn(
      SRC,
      '// loadSnapshot restores',
      '// serverSlot lets a caller swap the node\'s server.\nfunc (n *Node) serverSlot() **Server { return &n.srv }\n\n// loadSnapshot restores',
    );
    expect(found(src)).toEqual(reported(src));
  });

  it('the goroutine started on the field in the constructor itself: no finding', () => {
    const src = swapIn(SRC, '\tn.loadSnapshot(snapshot)\n', '\tn.loadSnapshot(snapshot)\n\tsrv.wg.Add(1)\n\tgo n.srv.handleWriteError()\n');
    expect(found(src)).toEqual([]);
  });

  it('the node registered before the seed: reported', () => {
    const src = swapIn(SRC, '\tn.loadSnapshot(snapshot)\n', '\tn.loadSnapshot(snapshot)\n\tsrv.register(n)\n');
    expect(found(src)).toEqual(reported(src));
  });
});

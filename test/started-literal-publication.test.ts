// What a literal names is shared with the goroutine it is started in from the call that starts it
// on: a `go` statement, a callback started by wg.Go or time.AfterFunc, and (session 15) an
// in-package helper that starts its parameter in a goroutine (addHelperSpawns). A handler
// registration is not such a start (the mux is served later).
// A value the function built is no longer under construction after such a call, and a body that
// hands such a helper a literal over a map it made is walked (docs/ordering.md, "Literals started
// through a helper").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp } from './helpers/cli.js';
import { fixtureInput, lineOf, scanRules, swapIn } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const FRESH = fixtureInput('concurrent-map-write/fresh-value-captured-by-started-literal');
const WG_GO = fixtureInput('concurrent-map-write/fresh-value-captured-by-waitgroup-go');
const LOCAL = fixtureInput('concurrent-map-write/local-map-captured-by-started-literal');
const JOINED = fixtureInput('negative/fresh-value-joined-after-started-literal');

const at = (src: string, text: string) => `concurrent-map-write@${lineOf(src, text)}`;

describe('a fresh value captured by a literal a helper starts', () => {
  it('is shared from the helper call on: the later write races with the literal', () => {
    expect(scanRules(FRESH)).toEqual([at(FRESH, 'st.counts["flush"]++')]);
  });

  it('written before the helper call: construction, no finding', () => {
    const src = swapIn(
      swapIn(FRESH, '\tst.counts["step"]++\n\t<-done\n', '\t<-done\n'),
      '\tst := &Stats{counts: map[string]int{}}\n',
      '\tst := &Stats{counts: map[string]int{}}\n\tst.counts["step"]++\n',
    );
    expect(scanRules(src)).toEqual([]);
  });

  it('written after the literal said it is done: joined, no finding', () => {
    const src = swapIn(FRESH, '\tst.counts["step"]++\n\t<-done\n', '\t<-done\n\tst.counts["step"]++\n');
    expect(scanRules(src)).toEqual([]);
  });

  it('a helper that calls the literal before it returns: the literal runs in place, no finding', () => {
    const src = swapIn(FRESH, '\tgo func() {\n\t\ttime.Sleep(d)\n\t\tf()\n\t}()\n', '\ttime.Sleep(d)\n\tf()\n');
    expect(scanRules(src)).toEqual([]);
  });

  it('time.AfterFunc instead of the helper: the callback races with the later write too', () => {
    const src = swapIn(FRESH, 'after(time.Millisecond, func() {', 'time.AfterFunc(time.Millisecond, func() {');
    expect(scanRules(src)).toEqual([at(src, 'st.counts["flush"]++')]);
  });

  it('a handler registered on a mux runs only once the mux is served: a fill after the registration stays set-up, no finding', () => {
    const src = swapIn(
      swapIn(FRESH, 'import "time"', 'import (\n\t"fmt"\n\t"net/http"\n\t"time"\n)'),
      '\tafter(time.Millisecond, func() {\n\t\tst.counts["flush"]++\n\t\tclose(done)\n\t})\n',
      '\tmux := http.NewServeMux()\n\tmux.HandleFunc("/flush", func(w http.ResponseWriter, r *http.Request) {\n\t\tfmt.Fprint(w, st.counts["flush"])\n\t})\n\tclose(done)\n',
    );
    expect(scanRules(src)).toEqual([]);
  });
});

describe('a fresh value captured by a wg.Go callback (Go 1.25)', () => {
  it('races with the write made before wg.Wait', () => {
    expect(scanRules(WG_GO)).toEqual([at(WG_GO, 'r.issues["net"] = checkNet(host)')]);
  });

  it('written after wg.Wait: no finding', () => {
    const src = swapIn(WG_GO, '\tr.issues["disk"] = checkDisk(path)\n\twg.Wait()\n', '\twg.Wait()\n\tr.issues["disk"] = checkDisk(path)\n');
    expect(scanRules(src)).toEqual([]);
  });
});

describe('a map the function made, captured by a literal a method starts', () => {
  it('is walked and reported although the body names no goroutine, lock or shared map', () => {
    expect(scanRules(LOCAL)).toEqual([at(LOCAL, 'answers[backup] = resolve(backup)')]);
  });

  it('a Submit that calls the literal in place: no finding', () => {
    const src = swapIn(LOCAL, '\tgo f()\n', '\tf()\n');
    expect(scanRules(src)).toEqual([]);
  });
});

describe('writes ordered with the started literal', () => {
  it('the negative fixture: joined, run in place, waited for, or written before: no finding', () => {
    expect(scanRules(JOINED)).toEqual([]);
  });

  it('Joined writing before the receive races and is reported', () => {
    const src = swapIn(JOINED, '\t<-done\n\tt.n["local"]++\n\treturn len(t.n)\n}\n\n// TimerJoined', '\tt.n["local"]++\n\t<-done\n\treturn len(t.n)\n}\n\n// TimerJoined');
    expect(scanRules(src)).toEqual([at(src, 't.n["remote"]++')]);
  });

  it('TimerJoined writing before the receive races and is reported', () => {
    const src = swapIn(JOINED, '\t<-done\n\tt.n["local"]++\n\treturn len(t.n)\n}\n\n// RunsInPlace', '\tt.n["local"]++\n\t<-done\n\treturn len(t.n)\n}\n\n// RunsInPlace');
    expect(scanRules(src)).toEqual([at(src, 't.n["timer"]++')]);
  });

  it('LocalJoined writing before the receive races and is reported', () => {
    const src = swapIn(JOINED, '\t<-done\n\tseen["local"]++\n', '\tseen["local"]++\n\t<-done\n');
    expect(scanRules(src)).toEqual([at(src, 'seen["remote"]++')]);
  });
});

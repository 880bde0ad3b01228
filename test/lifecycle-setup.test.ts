// A lifecycle method's set-up before its first `go` (docs/rules.md, "Lifecycle methods"):
// `Run` filling the map through its receiver before `go m.loop()` is ordered before goroutines
// that other methods of the same type start (`WaitReady`). A fill after the `go`, a goroutine a
// constructor starts, and a fill in a loop that also starts goroutines stay reported.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp } from './helpers/cli.js';
import { fixtureInput, lineOf, scanRules, swapIn } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const BASE = fixtureInput('negative/run-fills-map-before-other-methods');
const FILL = 'm.instances[p] = inst';

const swap = (from: string, to: string) => swapIn(BASE, from, to);
const fillReported = (src: string) => expect(scanRules(src)).toContain(`concurrent-map-write@${lineOf(src, FILL)}`);

describe('Run fills the map before the goroutines of other methods', () => {
  it('fill before `go m.loop()` (the fixture): no finding', () => {
    expect(scanRules(BASE)).toEqual([]);
  });

  it('Run starts its loop before the fill: reported', () => {
    fillReported(swap('func (m *Manager) Run() {\n', 'func (m *Manager) Run() {\n\tgo m.loop()\n').replace('\t}\n\tgo m.loop()\n}', '\t}\n}'));
  });

  it('the ranging goroutine is started by the constructor, before Run: reported', () => {
    fillReported(
      swap(
        '\treturn &Manager{plugins: plugins, instances: make(map[string]*instance), updates: make(chan string), done: make(chan struct{})}\n',
        '\tm := &Manager{plugins: plugins, instances: make(map[string]*instance), updates: make(chan string), done: make(chan struct{})}\n\tgo func() {\n\t\tfor range m.instances {\n\t\t}\n\t}()\n\treturn m\n',
      ),
    );
  });

  it('the fill loop also starts a goroutine per instance: reported', () => {
    fillReported(swap('\t\tm.instances[p] = inst\n\t}\n', '\t\tm.instances[p] = inst\n\t\tgo m.WaitReady()\n\t}\n'));
  });

  it('a method not named like a lifecycle step fills the map: reported', () => {
    fillReported(swap('func (m *Manager) Run() {', 'func (m *Manager) Fill() {'));
  });
});

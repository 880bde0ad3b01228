// A field of a value a call builds and hands back is the caller's own: ranging without a lock over
// `n.Usages().negative().m`, where negative returns a new Usages made from a constructor, races
// with nothing (fixtures/negative/range-over-a-copy-a-call-returns; seaweedfs' doUnlinkChildNode).
// The variants make the value shared again, and the race is reported again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp } from './helpers/cli.js';
import { fixtureInput, lineOf, scanRules, swapIn } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const BASE = fixtureInput('negative/range-over-a-copy-a-call-returns');
const RANGE = '\tfor _, v := range n.Usages().negative().m {\n';

describe('a field of what a call builds and returns', () => {
  it('the copy negative returns: nothing to report', () => {
    expect(scanRules(BASE)).toEqual([]);
  });

  it('the node\'s own Usages, returned by a getter: reported', () => {
    const src = swapIn(BASE, RANGE, '\tfor _, v := range n.Usages().m {\n');
    expect(scanRules(src)).toEqual([`unguarded-map-access@${lineOf(src, 'range n.Usages().m')}`]);
  });

  it('negative handing back its receiver instead of a copy: reported', () => {
    const src = swapIn(BASE, '\treturn t\n}\n', '\t_ = t\n\treturn u\n}\n');
    expect(scanRules(src)).toEqual([`unguarded-map-access@${lineOf(src, 'range n.Usages().negative().m')}`]);
  });

  it('the copy kept in a shared place before it is returned: reported', () => {
    let src = swapIn(BASE, '\tm map[string]int\n}\n', '\tm    map[string]int\n\tlast *Usages\n}\n');
    src = swapIn(src, '\treturn t\n}\n', '\tu.last = t\n\treturn t\n}\n');
    src = swapIn(src, '\t\t\tn.usages.add("a", 1)\n', '\t\t\tn.usages.add("a", 1)\n\t\t\tif l := n.usages.last; l != nil {\n\t\t\t\tl.add("b", 1)\n\t\t\t}\n');
    expect(scanRules(src)).toContain(`unguarded-map-access@${lineOf(src, 'range n.Usages().negative().m')}`);
  });
});

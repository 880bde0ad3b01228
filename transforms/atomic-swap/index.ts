// atomic-swap: a map only ever replaced whole and read becomes an atomic.Pointer to the map
// (copy-on-write). See README.md beside this file and docs/transforms/atomic-swap.md.
import { defineTransform } from '../../src/plan/transform.js';
import { planAtomicSwap } from './plan.js';

export default defineTransform({
  id: 'atomic-swap',
  title: 'Swap the whole map through an atomic.Pointer',
  summary:
    'For a map that is only ever replaced whole and read (a configuration reload): the field or package variable becomes an atomic.Pointer[map[K]V] (go ≥ 1.19), readers load the current map, writers Store the new one; declines when any site writes into a live map or hands it out.',
  appliesTo: ['concurrent-map-write', 'unguarded-map-access'],
  plan(finding, pkg) {
    return planAtomicSwap(finding, pkg);
  },
});

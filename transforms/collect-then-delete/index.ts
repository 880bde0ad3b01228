// collect-then-delete: see README.md beside this file and docs/transforms/collect-then-delete.md.
import { defineTransform } from '../../src/plan/transform.js';

export default defineTransform({
  id: 'collect-then-delete',
  title: 'Collect the keys, then delete under the lock',
  summary: 'Collect the keys, then delete under the lock',
  appliesTo: ['map-mutated-during-range', 'concurrent-map-write', 'unguarded-map-access'],
  plan() {
    return { declined: 'the collect-then-delete transform is not implemented yet' };
  },
});

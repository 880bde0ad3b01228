// collect-then-delete: see README.md beside this file and docs/transforms/collect-then-delete.md.
import { defineTransform } from '../../src/plan/transform.js';
import { planCollectThenDelete } from './plan.js';

export default defineTransform({
  id: 'collect-then-delete',
  title: 'Collect the keys, then delete under the lock',
  summary:
    'For a range that deletes from a shared map: collect the keys under the (read) lock, re-check and delete them under the write lock, and run per-entry calls after the lock is released (maps.DeleteFunc for a pure predicate on go >= 1.21). For single-goroutine code that inserts into the map it ranges over: collect the inserts and apply them after the loop.',
  appliesTo: ['map-mutated-during-range', 'concurrent-map-write', 'unguarded-map-access'],
  plan(finding, pkg) {
    return planCollectThenDelete(finding, pkg);
  },
});

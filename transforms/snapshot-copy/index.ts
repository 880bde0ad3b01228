// snapshot-copy: hand out a copy of a guarded map taken under its lock, and range over a copy.
// See README.md beside this file and docs/transforms/snapshot-copy.md.
import { defineTransform } from '../../src/plan/transform.js';
import { planSnapshot } from './plan.js';

export default defineTransform({
  id: 'snapshot-copy',
  title: 'Hand out a copy taken under the read lock',
  summary:
    'Where a guarded map escapes (returned, sent, stored, passed to a callback), hand out a copy taken while its lock is held; where code ranges over the shared map without the lock, range over a copy taken under the read lock. maps.Clone from go 1.21, else a helper emitted once per package.',
  appliesTo: ['map-escapes-lock', 'map-mutated-during-range', 'concurrent-map-write', 'unguarded-map-access'],
  plan(finding, pkg) {
    return planSnapshot(finding, pkg);
  },
});

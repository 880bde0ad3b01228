// snapshot-copy: see README.md beside this file and docs/transforms/snapshot-copy.md.
import { defineTransform } from '../../src/plan/transform.js';

export default defineTransform({
  id: 'snapshot-copy',
  title: 'Hand out a copy taken under the read lock',
  summary: 'Hand out a copy taken under the read lock',
  appliesTo: ['map-escapes-lock', 'map-mutated-during-range', 'concurrent-map-write', 'unguarded-map-access'],
  plan() {
    return { declined: 'the snapshot-copy transform is not implemented yet' };
  },
});

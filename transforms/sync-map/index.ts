// sync-map: see README.md beside this file and docs/transforms/sync-map.md.
import { defineTransform } from '../../src/plan/transform.js';

export default defineTransform({
  id: 'sync-map',
  title: 'Replace the map with sync.Map',
  summary: 'Replace the map with sync.Map',
  appliesTo: ['concurrent-map-write', 'unguarded-map-access'],
  plan() {
    return { declined: 'the sync-map transform is not implemented yet' };
  },
});

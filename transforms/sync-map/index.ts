// sync-map: replace a racing map with sync.Map and rewrite every access of the package.
// See README.md beside this file and docs/transforms/sync-map.md.
import { defineTransform } from '../../src/plan/transform.js';
import { planSyncMap } from './plan.js';

export { syncMapFits } from './fits.js';

export default defineTransform({
  id: 'sync-map',
  title: 'Replace the map with sync.Map',
  summary:
    'Replace the map with sync.Map: Store, Load with a typed read (zero value when missing), Delete, Range with continue/break as return true/false; declines where a rewrite would not be faithful (len, read-modify-write, return in a range body, the map passed on).',
  appliesTo: ['concurrent-map-write', 'unguarded-map-access', 'map-mutated-during-range'],
  plan(finding, pkg) {
    const result = planSyncMap(finding, pkg);
    return 'declined' in result ? result : { fixes: [result.plan.fix] };
  },
});

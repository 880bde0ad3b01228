// mutex-wrap: guard a racing map with a sync.RWMutex. See README.md beside this file.
import { defineTransform } from '../../src/plan/transform.js';
import { planInline } from './inline.js';
import { planWrapper } from './wrapper.js';

export default defineTransform({
  id: 'mutex-wrap',
  title: 'Guard the map with a sync.RWMutex',
  summary:
    'inline: add a mutex beside the map (or reuse the one that guards it elsewhere) and lock every racing access; wrapper: replace the map with a mutex-wrapped type and rewrite every access.',
  appliesTo: ['concurrent-map-write', 'unguarded-map-access', 'map-mutated-during-range'],
  plan(finding, pkg, options) {
    return options.style === 'wrapper' ? planWrapper(finding, pkg) : planInline(finding, pkg);
  },
});

// The question `auto` asks before it picks sync-map for a finding.
import type { Finding } from '../../src/analysis/model.js';
import type { PackageView } from '../../src/plan/transform.js';
import { planSyncMap } from './plan.js';

/**
 * Whether sync.Map suits the finding's map: every access can be rewritten faithfully, and the
 * accesses follow the pattern the sync.Map documentation names (keys written once and read many
 * times, or goroutines with disjoint keys). Conservative: false, with the reason, when unsure.
 */
export function syncMapFits(finding: Finding, pkg: PackageView): { fits: boolean; why: string } {
  const result = planSyncMap(finding, pkg);
  if ('declined' in result) return { fits: false, why: `not every access can be rewritten: ${result.declined}` };
  return { ...result.plan.fit };
}

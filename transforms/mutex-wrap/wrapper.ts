// mutex-wrap, wrapper style (not built yet): every finding is declined with that reason.
import type { Finding } from '../../src/analysis/model.js';
import type { PackageView, TransformResult } from '../../src/plan/transform.js';

export function planWrapper(_finding: Finding, _pkg: PackageView): TransformResult {
  return { declined: 'the wrapper style is not implemented yet; use --style inline' };
}

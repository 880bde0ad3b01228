// The explicit registry of transforms, sorted by id. test/transforms-registry.test.ts fails when
// this list and the folders under transforms/ disagree.
import type { Transform } from '../src/plan/transform.js';
import atomicSwap from './atomic-swap/index.js';
import collectThenDelete from './collect-then-delete/index.js';
import mutexWrap from './mutex-wrap/index.js';
import snapshotCopy from './snapshot-copy/index.js';
import syncMap from './sync-map/index.js';

export const TRANSFORMS: readonly Transform[] = [atomicSwap, collectThenDelete, mutexWrap, snapshotCopy, syncMap];

export function transformById(id: string): Transform | undefined {
  return TRANSFORMS.find((t) => t.id === id);
}

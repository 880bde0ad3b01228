// The explicit registry of transforms, sorted by id. test/transforms-registry.test.ts fails when
// this list and the folders under transforms/ disagree.
import type { Transform } from '../src/plan/transform.js';
import mutexWrap from './mutex-wrap/index.js';

export const TRANSFORMS: readonly Transform[] = [mutexWrap];

export function transformById(id: string): Transform | undefined {
  return TRANSFORMS.find((t) => t.id === id);
}

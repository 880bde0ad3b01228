import type { Rule } from './shared-map.js';
import { concurrentMapWrite } from './concurrent-map-write.js';
import { unguardedMapAccess } from './unguarded-map-access.js';
import { mapEscapesLock } from './map-escapes-lock.js';
import { mapMutatedDuringRange } from './map-mutated-during-range.js';

/** Every rule, in the order findings are reported. */
export const RULES: readonly Rule[] = [concurrentMapWrite, unguardedMapAccess, mapEscapesLock, mapMutatedDuringRange];

// What scan and fix run with: the configuration file, overridden by the flags given, and the
// findings filter made of the rules turned off, --baseline and --new-from-rev.
import { changedSince, touchesChange } from '../baseline/new-from-rev.js';
import { readBaseline } from '../baseline/baseline-file.js';
import { disabledRules, excludeMatcher, loadConfig, type ConfidenceFilter, type GomapfixConfig } from '../config/config.js';
import type { FixOptions } from '../fix.js';
import type { JsonFinding } from '../scan.js';

/** The flags scan and fix share that the configuration can also set. */
export interface SharedFlags {
  maxFileSize?: number;
  tests?: boolean;
  hazards?: boolean;
  strictTests?: boolean;
  newFromRev?: string;
  baseline?: string;
  /** `high`: only high-confidence findings (docs/confidence.md). */
  confidence?: ConfidenceFilter;
}

export interface RunSettings {
  config: GomapfixConfig | null;
  maxFileSize?: number;
  tests?: boolean;
  hazards: boolean;
  strictTests: boolean;
  exclude?: (abs: string) => boolean;
  /** Absent when every finding is kept. */
  keepFinding?: (f: JsonFinding) => boolean;
  /** With `--confidence high`: keepFinding but for the confidence (see FixOptions.keepBesideHigh). */
  keepBesideHigh?: (f: JsonFinding) => boolean;
}

/** Loads the run's configuration and merges the flags over it (a flag given wins). */
export function runSettings(paths: string[], cwd: string, flags: SharedFlags): RunSettings {
  const config = loadConfig(paths, cwd);
  const maxFileSize = flags.maxFileSize ?? config?.maxFileSize;
  const tests = flags.tests ?? config?.tests;
  const exclude = config ? excludeMatcher(config) : null;
  const keeps: ((f: JsonFinding) => boolean)[] = [];
  const off = disabledRules(config);
  if (off.size > 0) keeps.push((f) => !off.has(f.rule as never));
  const high = (flags.confidence ?? config?.confidence) === 'high';
  if (flags.baseline !== undefined) {
    const known = readBaseline(flags.baseline);
    keeps.push((f) => !known.has(f.id));
  }
  if (flags.newFromRev !== undefined) {
    const changed = changedSince(flags.newFromRev, cwd);
    keeps.push((f) => touchesChange(f, changed, cwd));
  }
  const others = [...keeps];
  if (high) keeps.push((f) => f.confidence === 'high');
  return {
    config,
    ...(maxFileSize !== undefined ? { maxFileSize } : {}),
    ...(tests !== undefined ? { tests } : {}),
    hazards: flags.hazards ?? config?.hazards ?? false,
    strictTests: flags.strictTests ?? config?.strictTests ?? false,
    ...(exclude ? { exclude } : {}),
    ...(keeps.length > 0 ? { keepFinding: (f: JsonFinding) => keeps.every((k) => k(f)) } : {}),
    ...(high ? { keepBesideHigh: (f: JsonFinding) => others.every((k) => k(f)) } : {}),
  };
}

/** What planFixes takes from the settings: the files and findings to leave out, and the analysis switches. */
export function planOptions(settings: RunSettings): Pick<FixOptions, 'maxFileSize' | 'tests' | 'hazards' | 'strictTests' | 'exclude' | 'keepFinding' | 'keepBesideHigh'> {
  return {
    ...(settings.maxFileSize ? { maxFileSize: settings.maxFileSize } : {}),
    ...(settings.tests === false ? { tests: false } : {}),
    ...(settings.hazards ? { hazards: true } : {}),
    ...(settings.strictTests ? { strictTests: true } : {}),
    ...(settings.exclude ? { exclude: settings.exclude } : {}),
    ...(settings.keepFinding ? { keepFinding: settings.keepFinding } : {}),
    ...(settings.keepBesideHigh ? { keepBesideHigh: settings.keepBesideHigh } : {}),
  };
}

/** The transform and style to use: the ones given, else fix.strategy and fix.style of gomapfix.json, else auto. */
export function fixChoice(config: GomapfixConfig | null, strategy?: string, style?: 'inline' | 'wrapper'): { strategy: string; style?: 'inline' | 'wrapper' } {
  const chosenStyle = style ?? config?.fix.style;
  return { strategy: strategy ?? config?.fix.strategy ?? 'auto', ...(chosenStyle ? { style: chosenStyle } : {}) };
}

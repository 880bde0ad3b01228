// gomapfix library API.
export { scan, type ScanOptions, type ScanResult, type JsonFinding } from './scan.js';
export type { Finding, RuleId, FileError, SkippedFile } from './analysis/model.js';
export { RULE_IDS } from './analysis/model.js';
export { UserError } from './errors.js';
export { planFixes, type FixOptions } from './fix.js';
export type { Plan, Fix, TextEdit, Declined } from './plan/model.js';
export { writePlannedFiles, type WriteOutcome, type RefusedPackage } from './plan/write.js';
export { triage, type TriageResult, type ConfirmedMap, type NotMapRace, type UnplacedReport } from './triage/triage.js';
export { parseLog, type LogReport, type Frame, type Stack } from './triage/log.js';

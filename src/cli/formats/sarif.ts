// `--format sarif`: SARIF 2.1.0, one run, for GitHub code scanning and SARIF viewers (docs/formats.md).
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { RULE_IDS } from '../../analysis/model.js';
import { RULE_DOCS, ruleDocUrl, toolUrl } from './rule-docs.js';
import { rootRelative, type FormatContext, type FormatReport } from './report.js';
import type { FixChanges } from './fix-hunks.js';

/** The uriBaseId every repository path is relative to; originalUriBaseIds says where it is. */
export const SRCROOT = 'SRCROOT';
/** The partialFingerprints key holding the finding's stable id. */
export const FINGERPRINT_KEY = 'gomapfixFindingId/v1';
const LEVEL = 'warning';

type Json = Record<string, unknown>;

/** The report as one SARIF 2.1.0 log object. */
export function sarifLog(report: FormatReport, ctx: FormatContext): Json {
  const fixOf = new Map<string, FixChanges>(report.fixes.map((c) => [c.fix.findingId, c]));
  const results = report.findings.map((f) => {
    const change = fixOf.get(f.id);
    const artifactChanges = change ? artifactChangesOf(change, ctx) : [];
    const fixedBy = change ? undefined : report.fixes.find((c) => c.fix.covers.includes(f.id));
    return {
      ruleId: f.rule,
      ruleIndex: RULE_IDS.indexOf(f.rule as (typeof RULE_IDS)[number]),
      // A low-confidence finding is a note: part of its race is assumed (docs/confidence.md).
      level: f.confidence === 'low' ? 'note' : LEVEL,
      message: { text: f.message },
      locations: [{ physicalLocation: physical(ctx, f.file, { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn }) }],
      relatedLocations: f.evidence.map((e, i) => ({
        id: i + 1,
        message: { text: `${e.kind}: ${e.message}` },
        physicalLocation: physical(ctx, e.file, { startLine: e.line, startColumn: e.column }),
      })),
      partialFingerprints: { [FINGERPRINT_KEY]: f.id },
      properties: {
        map: f.map,
        confidence: f.confidence,
        ...(f.confidenceReason ? { confidenceReason: f.confidenceReason } : {}),
        ...(f.omittedEvidence.access + f.omittedEvidence.context > 0 ? { omittedEvidence: f.omittedEvidence } : {}),
        // Resolved by the fix planned for another finding of the same map (that result carries it).
        ...(fixedBy ? { fixedWith: fixedBy.fix.findingId } : {}),
      },
      // GitHub rejects a fix whose artifactChanges is empty: a fix without changes is left out.
      ...(change && artifactChanges.length > 0
        ? { fixes: [{ description: { text: `${change.fix.title} (${change.fix.transform}, ${change.fix.safety})` }, artifactChanges }] }
        : {}),
    };
  });
  const notifications = [
    ...report.errors.map((e) => notification('error', e.message, ctx, e.file)),
    ...report.warnings.map((w) => notification('warning', w.message, ctx, w.file, w.line)),
    ...report.skipped.map((s) => notification('note', `skipped: ${s.reason}`, ctx, s.file)),
  ];
  return {
    $schema: 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'gomapfix',
            version: ctx.version,
            ...(/^\d+\.\d+\.\d+/.test(ctx.version) ? { semanticVersion: ctx.version } : {}),
            informationUri: toolUrl(),
            rules: RULE_DOCS.map((r) => ({
              id: r.id,
              name: camel(r.id),
              shortDescription: { text: r.summary },
              fullDescription: { text: r.help },
              help: { text: `${r.help}\n\n${ruleDocUrl(r.id)}`, markdown: `${r.help}\n\n[Rule documentation](${ruleDocUrl(r.id)})` },
              helpUri: ruleDocUrl(r.id),
              defaultConfiguration: { level: LEVEL },
              properties: { tags: ['concurrency', 'correctness', 'go'], precision: 'high', 'problem.severity': LEVEL },
            })),
          },
        },
        originalUriBaseIds: { [SRCROOT]: { uri: directoryUri(ctx.root), description: { text: 'The repository root (git work tree, else the directory gomapfix ran in).' } } },
        columnKind: 'utf16CodeUnits',
        results,
        invocations: [{ executionSuccessful: true, ...(notifications.length > 0 ? { toolExecutionNotifications: notifications } : {}) }],
      },
    ],
  };
}

/** `sarifLog` as printed on stdout. */
export function sarifText(report: FormatReport, ctx: FormatContext): string {
  return JSON.stringify(sarifLog(report, ctx), null, 2) + '\n';
}

function artifactChangesOf(change: FixChanges, ctx: FormatContext): Json[] {
  return change.files
    .filter((f) => f.hunks.length > 0)
    .map((f) => ({
      artifactLocation: artifactLocation(ctx, f.file),
      // Whole lines: [startLine, endLine) replaced; startLine === endLine is an insertion point.
      replacements: f.hunks.map((h) => ({
        deletedRegion: { startLine: h.startLine, startColumn: 1, endLine: h.endLine, endColumn: 1 },
        insertedContent: { text: h.text },
      })),
    }));
}

function physical(ctx: FormatContext, file: string, region: Json): Json {
  return { artifactLocation: artifactLocation(ctx, file), region };
}

function artifactLocation(ctx: FormatContext, file: string): Json {
  const rel = rootRelative(ctx, file);
  if (rel === null) return { uri: pathToFileURL(resolve(ctx.cwd, file)).href };
  return { uri: rel.split('/').map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
}

function notification(level: 'error' | 'warning' | 'note', text: string, ctx: FormatContext, file?: string, line?: number): Json {
  return {
    level,
    message: { text },
    ...(file ? { locations: [{ physicalLocation: { artifactLocation: artifactLocation(ctx, file), ...(line ? { region: { startLine: line } } : {}) } }] } : {}),
  };
}

function directoryUri(dir: string): string {
  const href = pathToFileURL(dir).href;
  return href.endsWith('/') ? href : `${href}/`;
}

function camel(id: string): string {
  return id.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase());
}

// The data model shared by the analysis, the rules and every front end.

/** A 1-based position in a file; columns count UTF-16 code units (SARIF's default). */
export interface SourceSpan {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** 0-based offsets into the file's text (after a BOM is removed). */
  start: number;
  end: number;
}

export type MapKind = 'package-var' | 'field' | 'local' | 'param' | 'named-type';

/** A map the package declares: the identity every access is attributed to. */
export interface MapDecl {
  key: string;
  name: string;
  kind: MapKind;
  /** Go type text, e.g. `map[string]int` or `Registry`. */
  type: string;
  span: SourceSpan;
  /** For locals and params: the function that owns the variable. */
  ownerFunc?: number;
}

export type AccessKind = 'read' | 'write' | 'delete' | 'clear' | 'range' | 'escape';
export type EscapeKind = 'return' | 'send' | 'store' | 'callback' | 'call';

export interface HeldLock {
  /** Normalised name: `Store.mu`, `cacheMu`, `Store` for an embedded mutex. */
  name: string;
  mode: 'write' | 'read';
}

export interface AccessSite {
  map: string;
  kind: AccessKind;
  escape?: EscapeKind;
  span: SourceSpan;
  /** Function (index into PackageFacts.functions) the access runs in. */
  func: number;
  locks: HeldLock[];
  /** The expression text used, e.g. `s.sessions[id]`. */
  text: string;
  /** For `range`: whether the body deletes from or inserts into the same map. */
  rangeBody?: { deletes: boolean; inserts: boolean; callsOut: string | null };
}

/** A place where code starts running concurrently with its spawner. */
export interface ConcurrencyContext {
  id: number;
  kind: 'go' | 'handler' | 'spawner' | 'service-method';
  /** `go func literal`, `go s.loop()`, `http.HandleFunc`, `time.AfterFunc`, `ServeHTTP`… */
  description: string;
  span: SourceSpan;
  /** Function index that contains the spawn site (-1 for handlers invoked by the runtime). */
  spawner: number;
  /** True when several instances can run at once (a `go` in a loop, a handler). */
  multi: boolean;
  /** Functions run directly by this context. */
  entries: number[];
}

export interface FunctionFact {
  index: number;
  name: string;
  file: string;
  span: SourceSpan;
  isLiteral: boolean;
  exported: boolean;
}

export type RuleId =
  | 'concurrent-map-write'
  | 'unguarded-map-access'
  | 'map-escapes-lock'
  | 'map-mutated-during-range';

export const RULE_IDS: readonly RuleId[] = [
  'concurrent-map-write',
  'unguarded-map-access',
  'map-escapes-lock',
  'map-mutated-during-range',
];

export interface Evidence {
  kind: 'declaration' | 'access' | 'context' | 'lock';
  message: string;
  file: string;
  line: number;
  column: number;
}

/** How many access sites and concurrency contexts a finding keeps as evidence; the rest are counted. */
export const EVIDENCE_LIMIT = { access: 5, context: 3 } as const;

/** Evidence left out of a finding's bounded list, by kind, so a reader sees "and N more". */
export interface OmittedEvidence {
  access: number;
  context: number;
}

export interface Finding {
  id: string;
  rule: RuleId;
  message: string;
  span: SourceSpan;
  map: { key: string; name: string; kind: MapKind; file: string; line: number };
  /** At most EVIDENCE_LIMIT accesses and contexts, plus the declaration and the guarding lock. */
  evidence: Evidence[];
  omittedEvidence: OmittedEvidence;
  /**
   * `high`: the scan saw concurrent code of the package and one value both accesses reach; `low`:
   * one of the two is assumed, said in `confidenceReason` (src/analysis/confidence.ts).
   */
  confidence: 'high' | 'low';
  confidenceReason?: string;
  /**
   * Internal, never output: the names of the functions every racing pair has an access in, for
   * demoteUncalled (src/analysis/references.ts) to look up across the scan's files.
   */
  onlyIn?: string[];
  /**
   * Internal, never output: a finding that is high only because a racing access's own function
   * takes the map's lock (src/analysis/confidence.ts, lockingFunctions): those functions' names,
   * and the low reason it has when nothing in the scan's files names any of them (demoteUncalled).
   * `methods`: those of the names that are methods (an interface's method list naming one is no call).
   */
  ownLockIn?: { names: string[]; methods: string[]; reason: string };
}

/** A file that could not be analysed, with the reason a user can act on. */
export interface FileError {
  file: string;
  message: string;
}

/** A file deliberately not analysed (generated, over the size limit). */
export interface SkippedFile {
  file: string;
  reason: string;
}

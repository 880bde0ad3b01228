// Valid Go that tree-sitter-go misparses (gofmt accepts the file, the tree has an error node) is
// analysed around the error: the top-level declarations that hold an error node are blanked out
// (every character but line breaks becomes a space, so offsets, lines and columns of the rest
// stay exactly those of the file) and the text is parsed again. The error nodes are usually small
// and local; the rest of the file is then analysed instead of being skipped whole. Such a file is
// never rewritten: it stays listed under `errors`, and `fix` declines its package on that entry.
import { findError, parseGo, type SyntaxNode, type Tree } from './parser.js';

/** A file parsed without the declarations tree-sitter could not read. */
export interface RecoveredFile {
  /** The file's text with the unread declarations blanked out (same length, same lines). */
  text: string;
  tree: Tree;
  /** 1-based line ranges that were blanked out, in source order. */
  skipped: { startLine: number; endLine: number }[];
}

// Each round blanks at least one more region; a file that needs more is not worth guessing at.
const MAX_ROUNDS = 32;
// A top-level declaration starts at column 0 with one of these keywords (gofmt's layout).
const DECL_START = /^(?:func|type|var|const|import)\b/gm;

/**
 * Parses `text` again with each top-level declaration that contains an error node blanked out,
 * until the tree is clean. Null when that does not converge, when the package clause itself is
 * unreadable, or when nothing would be left to analyse.
 */
export function recoverAroundErrors(text: string, tree: Tree): RecoveredFile | null {
  const starts = declarationStarts(text);
  let current = text;
  let currentTree = tree;
  const regions: [number, number][] = [];
  for (let round = 0; round < MAX_ROUNDS && currentTree.rootNode.hasError; round++) {
    const error = findError(currentTree.rootNode);
    if (!error) return null;
    const region = enclosingDeclaration(current, currentTree.rootNode, error, starts);
    if (!region || regions.some(([a, b]) => a <= region[0] && region[1] <= b)) return null;
    if (!packageClauseBefore(currentTree.rootNode, region[0])) return null;
    regions.push(region);
    current = blank(current, region[0], region[1]);
    currentTree = parseGo(current);
  }
  if (currentTree.rootNode.hasError) return null;
  if (!/\S/.test(current.replace(/^\s*package\s+\S+/, '').replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, ''))) return null;
  const merged = mergeRegions(regions);
  return { text: current, tree: currentTree, skipped: merged.map(([a, b]) => ({ startLine: lineOf(text, a), endLine: lineOf(text, Math.max(a, b - 1)) })) };
}

// The tail of the `errors` entry of a file analysed around the declarations tree-sitter misread.
export const PARTIALLY_ANALYSED = /; (lines? [^;]*) not analysed, the rest of the file analysed$/;

/** The `errors` message of a file analysed around unread declarations `skipped`. */
export function partialMessage(problem: string, skipped: RecoveredFile['skipped']): string {
  return `${problem}; ${describeSkipped(skipped)} not analysed, the rest of the file analysed`;
}

/** Whether an `errors` message is that of a file that was analysed, except for some declarations. */
export function isPartiallyAnalysed(message: string): boolean {
  return PARTIALLY_ANALYSED.test(message);
}

/** "lines 12–30" or "lines 12–30 and 41" for a message. */
export function describeSkipped(skipped: RecoveredFile['skipped']): string {
  const parts = skipped.map((s) => (s.startLine === s.endLine ? `${s.startLine}` : `${s.startLine}–${s.endLine}`));
  const single = skipped.length === 1 && skipped[0]!.startLine === skipped[0]!.endLine;
  const list = parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
  return `${single ? 'line' : 'lines'} ${list}`;
}

function declarationStarts(text: string): number[] {
  const starts: number[] = [];
  for (const m of text.matchAll(DECL_START)) starts.push(m.index!);
  return starts;
}

/**
 * The region to blank for an error node: the top-level declaration that contains it when
 * tree-sitter read one around it; when the error node sits at the top level itself (tree-sitter
 * lost the declaration's shape), from the last declaration keyword at a line start before it to
 * the next one after it.
 */
function enclosingDeclaration(text: string, root: SyntaxNode, error: SyntaxNode, starts: number[]): [number, number] | null {
  // The top-level node holding the error, found among the root's children (climbing with
  // `.parent` would cost the depth for every level in deeply nested code).
  const top = root.children.find((c) => c.startIndex <= error.startIndex && error.endIndex <= c.endIndex && c.endIndex > c.startIndex) ?? error;
  if (top.type !== 'ERROR' && top.type !== 'package_clause' && top.startIndex <= error.startIndex && error.endIndex <= top.endIndex) {
    return [lineStart(text, top.startIndex), top.endIndex];
  }
  const from = error.startIndex;
  const to = Math.max(error.endIndex, from + 1);
  let a = -1;
  for (const s of starts) if (s <= from) a = s;
  if (a < 0) return null;
  let b = text.length;
  for (const s of starts) if (s >= to) { b = s; break; }
  return [a, b];
}

function packageClauseBefore(root: SyntaxNode, offset: number): boolean {
  for (const child of root.namedChildren) {
    if (child.type === 'package_clause') return child.endIndex <= offset;
    if (child.startIndex >= offset) return false;
  }
  return false;
}

function blank(text: string, from: number, to: number): string {
  return text.slice(0, from) + text.slice(from, to).replace(/[^\n]/g, ' ') + text.slice(to);
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function mergeRegions(regions: [number, number][]): [number, number][] {
  const sorted = [...regions].sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

import { createRequire } from 'node:module';
import Parser from 'tree-sitter';
import Go from 'tree-sitter-go';
import { goParserVerdict } from './go-parser-check.js';
import { LineIndex } from './lines.js';

export type SyntaxNode = Parser.SyntaxNode;
export type Tree = Parser.Tree;

let shared: Parser | undefined;

function parser(): Parser {
  if (!shared) {
    shared = new Parser();
    shared.setLanguage(Go as unknown as Parser.Language);
  }
  return shared;
}

/**
 * Node types whose children can carry field names (from the grammar's node-types.json), or
 * null when the grammar package does not ship that list. Children of any other node have none.
 */
export function typesWithFields(): ReadonlySet<string> | null {
  const info = (Go as unknown as { nodeTypeInfo?: { type: string; named: boolean; fields?: Record<string, unknown> }[] }).nodeTypeInfo;
  if (!Array.isArray(info)) return null;
  return new Set(info.filter((t) => t.named && t.fields && Object.keys(t.fields).length > 0).map((t) => t.type));
}

/**
 * The grammar binding's tree flattener (grammar/tree-sitter-go/bindings/node/flatten.c): a node's
 * named subtree as records of six ints, read in one native call. Null when the loaded binding
 * has none (the analysis then reads the tree through a cursor, node by node).
 */
export interface Flattener {
  flatten(node: SyntaxNode, masks: Uint8Array, skipBodies: boolean, bodyField: number, operatorField: number): Int32Array;
  symbolNames: readonly (string | null)[];
  fieldNames: readonly (string | null)[];
}

let flattener: Flattener | null | undefined;

export function treeFlattener(): Flattener | null {
  if (flattener !== undefined) return flattener;
  const binding = Go as unknown as {
    gomapfixFlatten?: (...args: unknown[]) => Int32Array;
    gomapfixSymbolNames?: () => (string | null)[];
    gomapfixFieldNames?: () => (string | null)[];
    gomapfixNodeTreeSitter?: string;
  };
  const { gomapfixFlatten: flatten, gomapfixSymbolNames: symbols, gomapfixFieldNames: fields } = binding;
  // flatten.c reads the trees node-tree-sitter builds with the runtime compiled from that
  // version's sources: with any other version installed, the cursor is used.
  flattener =
    typeof flatten === 'function' && typeof symbols === 'function' && typeof fields === 'function' && binding.gomapfixNodeTreeSitter === nodeTreeSitterVersion()
      ? {
          // node-tree-sitter keeps a node as six numbers: its id (two halves) and its context.
          flatten: (node, masks, skipBodies, bodyField, operatorField) => {
            const n = node as unknown as Record<number, number>;
            return flatten(n[0], n[1], n[2], n[3], n[4], n[5], masks, skipBodies, bodyField, operatorField);
          },
          symbolNames: symbols(),
          fieldNames: fields(),
        }
      : null;
  return flattener;
}

function nodeTreeSitterVersion(): string | null {
  try {
    return (createRequire(import.meta.url)('tree-sitter/package.json') as { version?: string }).version ?? null;
  } catch {
    return null;
  }
}

/** The first syntax error of a tree, as a 1-based line and column, or null. */
export interface SyntaxProblem {
  line: number;
  column: number;
  message: string;
  /** Go's own parser accepted the file: the error is tree-sitter-go's, not the author's. */
  validGo?: boolean;
}

// tree-sitter's default buffer is too small for multi-megabyte inputs.
const MIN_BUFFER = 32 * 1024;

/** Parses Go source text with tree-sitter-go. */
export function parseGo(text: string): Tree {
  const bufferSize = Math.max(MIN_BUFFER, text.length * 2 + 1024);
  return parser().parse(text, undefined, { bufferSize });
}

/**
 * Parses only the given ranges of the text (in order, disjoint), at their own offsets: the lexer
 * jumps over the rest instead of reading it (tree-sitter's included ranges). Read in chunks, as
 * each range is read from its start.
 */
export function parseGoRanges(text: string, ranges: readonly { start: number; end: number }[], lines: LineIndex = new LineIndex(text)): Tree {
  const includedRanges = ranges.map((r) => ({ startIndex: r.start, endIndex: r.end, startPosition: lines.point(r.start), endPosition: lines.point(r.end) }));
  return parser().parse((offset: number) => text.slice(offset, offset + CHUNK), undefined, { includedRanges });
}

const CHUNK = 16 * 1024;

/**
 * Finds the first ERROR or MISSING node, if any. Given the file's text, Go's own parser is asked
 * too, so that valid Go that tree-sitter-go misparses is not reported as the author's syntax error.
 */
export function firstSyntaxProblem(tree: Tree, text?: string): SyntaxProblem | null {
  const root = tree.rootNode;
  if (!root.hasError) return null;
  const found = findError(root);
  const where = found ? found.startPosition : { row: 0, column: 0 };
  const what = !found
    ? 'unexpected input'
    : found.isMissing
      ? `missing ${found.type}`
      : found.text.length > 0 && found.text.length <= 20
        ? `unexpected ${JSON.stringify(found.text)}`
        : 'unexpected input';
  const at = { line: where.row + 1, column: where.column + 1 };
  const verdict = text === undefined ? null : goParserVerdict(text);
  if (verdict?.kind === 'accepts') {
    return { ...at, message: `valid Go that gomapfix cannot parse yet (tree-sitter-go: ${what}; gofmt accepts the file)`, validGo: true };
  }
  if (verdict?.kind === 'unknown') {
    return { ...at, message: `gomapfix cannot parse this file (tree-sitter-go: ${what}; gofmt could not check it)` };
  }
  return { ...at, message: `syntax error: ${what}` };
}

/**
 * The text of the first top-level child of type `type` (`package_clause`), or null. Walks a
 * cursor over the top level instead of reading `rootNode.namedChildren`, which builds a node
 * object for every declaration of the file.
 */
export function topLevelText(tree: Tree, text: string, type: string): string | null {
  const cursor = tree.walk();
  if (!cursor.gotoFirstChild()) return null;
  do {
    if (cursor.nodeType === type && cursor.nodeIsNamed) return text.slice(cursor.startIndex, cursor.endIndex);
  } while (cursor.gotoNextSibling());
  return null;
}

// Pre-order with an explicit stack (children pushed in reverse): a file may nest as deep as Go
// allows, far deeper than the JavaScript call stack.
export function findError(root: SyntaxNode): SyntaxNode | null {
  const stack: SyntaxNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'ERROR' || node.isMissing) return node;
    if (!node.hasError) continue;
    const children = node.children;
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return null;
}

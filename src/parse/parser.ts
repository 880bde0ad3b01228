import Parser from 'tree-sitter';
import Go from 'tree-sitter-go';

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

/** The first syntax error of a tree, as a 1-based line and column, or null. */
export interface SyntaxProblem {
  line: number;
  column: number;
  message: string;
}

// tree-sitter's default buffer is too small for multi-megabyte inputs.
const MIN_BUFFER = 32 * 1024;

/** Parses Go source text with tree-sitter-go. */
export function parseGo(text: string): Tree {
  const bufferSize = Math.max(MIN_BUFFER, text.length * 2 + 1024);
  return parser().parse(text, undefined, { bufferSize });
}

/** Finds the first ERROR or MISSING node, if any. */
export function firstSyntaxProblem(tree: Tree): SyntaxProblem | null {
  if (!tree.rootNode.hasError) return null;
  const found = findError(tree.rootNode);
  if (!found) return { line: 1, column: 1, message: 'syntax error' };
  const { row, column } = found.startPosition;
  const what = found.isMissing
    ? `missing ${found.type}`
    : found.text.length > 0 && found.text.length <= 20
      ? `unexpected ${JSON.stringify(found.text)}`
      : 'unexpected input';
  return { line: row + 1, column: column + 1, message: `syntax error: ${what}` };
}

function findError(node: SyntaxNode): SyntaxNode | null {
  if (node.type === 'ERROR' || node.isMissing) return node;
  if (!node.hasError) return null;
  for (const child of node.children) {
    const hit = findError(child);
    if (hit) return hit;
  }
  return null;
}

// Go's rules for escapes in interpreted string and rune literals, which tree-sitter-go's tokens
// only approximate (`"\q"`, `"\400"`, `"\uD800"` are tokens to it, errors to Go).
import type { SyntaxNode, Tree } from './parser.js';

// A backslash in the text: the escapes valid in both strings and runes are consumed; group 1 is
// set for any other (an invalid escape, `\'`, or a backslash in a comment or raw string).
const ESCAPE = /\\(?:[abfnrtv\\"]|x[\da-fA-F]{2}|u(?![dD][89a-fA-F])[\da-fA-F]{4}|U(?!0000[dD][89a-fA-F])(?:000[\da-fA-F]|0010)[\da-fA-F]{4}|[0-3][0-7]{2}|([^]?))/g;

/**
 * The first invalid escape of an interpreted string or rune literal. The text finds the few
 * suspicious backslashes (valid files have almost none); the tree says whether each is in a
 * literal, so comments and raw strings are never judged.
 */
export function firstEscapeProblem(tree: Tree, text: string): { node: SyntaxNode; message: string } | null {
  const suspects: number[] = [];
  // Every escape starts with a backslash: a text without one is not scanned.
  if (text.includes('\\')) for (const m of text.matchAll(ESCAPE)) if (m[1] !== undefined) suspects.push(m.index);
  // `'\"'` looks valid to the scan above but `\"` is a string escape only.
  for (let i = text.indexOf(`'\\"'`); i >= 0; i = text.indexOf(`'\\"'`, i + 1)) suspects.push(i + 1);
  suspects.sort((a, b) => a - b);
  for (const at of suspects) {
    const node = tree.rootNode.descendantForIndex(at);
    const message =
      node.type === 'escape_sequence'
        ? escapeProblem(text, node.startIndex, '"')
        : node.type === 'rune_literal'
          ? runeProblem(text.slice(node.startIndex, node.endIndex), text, node.startIndex)
          : null;
    if (message) return { node, message };
  }
  return null;
}

/** `'x'` is one character or one escape (where `\'` is allowed and `\"` is not). */
function runeProblem(literal: string, text: string, start: number): string | null {
  const body = literal.slice(1, -1);
  if (body.startsWith('\\')) {
    const problem = escapeProblem(text, start + 1, "'");
    if (problem) return problem;
    return escapeLength(body) === body.length ? null : 'more than one character in rune literal';
  }
  return [...body].length === 1 ? null : 'more than one character in rune literal';
}

const SIMPLE_ESCAPES = 'abfnrtv\\';

/**
 * Why the escape starting at `text[at]` (a backslash) is not one Go accepts, or null. Reads the
 * source rather than tree-sitter's token, which takes any number of hex digits after `\x`.
 */
function escapeProblem(text: string, at: number, quote: '"' | "'"): string | null {
  const kind = text[at + 1] ?? '';
  if (SIMPLE_ESCAPES.includes(kind) || kind === quote) return null;
  if (kind === '"' || kind === "'") return `unknown escape sequence \\${kind}`;
  const digits = /[0-7]/.test(kind) ? { n: 3, base: 8, re: /^[0-7]{3}/ } : HEX_ESCAPES[kind];
  if (!digits) return `unknown escape sequence \\${kind}`;
  const from = /[0-7]/.test(kind) ? at + 1 : at + 2;
  const run = digits.re.exec(text.slice(from, from + digits.n));
  if (!run) return `escape sequence \\${kind} needs ${digits.n} ${digits.base === 8 ? 'octal' : 'hexadecimal'} digits`;
  const value = parseInt(run[0], digits.base);
  if (digits.base === 8 && value > 255) return `octal escape value ${value} > 255`;
  if ((kind === 'u' || kind === 'U') && ((value >= 0xd800 && value < 0xe000) || value > 0x10ffff)) {
    return `escape sequence is invalid Unicode code point U+${value.toString(16).toUpperCase()}`;
  }
  return null;
}

const HEX_ESCAPES: Record<string, { n: number; base: number; re: RegExp }> = {
  x: { n: 2, base: 16, re: /^[0-9a-fA-F]{2}/ },
  u: { n: 4, base: 16, re: /^[0-9a-fA-F]{4}/ },
  U: { n: 8, base: 16, re: /^[0-9a-fA-F]{8}/ },
};

/** The length of the escape at the start of `s` (which begins with a backslash). */
function escapeLength(s: string): number {
  const kind = s[1] ?? '';
  if (/[0-7]/.test(kind)) return 4;
  if (kind in HEX_ESCAPES) return 2 + HEX_ESCAPES[kind]!.n;
  return 2;
}

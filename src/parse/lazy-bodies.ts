// Scan-time parsing of only what the analysis reads (docs/lazy-parsing.md). The analysis never
// reads most function bodies: it converts only the bodies whose text mentions a map, a lock, a
// goroutine or a handler (analysis/analyze.ts, selectAndConvertBodies). Parsing them anyway was
// 40% of a scan. So a scan parses each file twice, cheaply: first without its function bodies
// (the declarations the package index reads), then only the functions whose bodies the analysis
// picks. Both parses read the file through tree-sitter's included ranges, so every offset stays
// the one of the real file, and the analysis cannot tell the difference.
import type { Tree } from './parser.js';

/** A top-level function or method body: `start` at its `{`, `end` just after its `}`. */
export interface BodyRange {
  start: number;
  end: number;
}

const KEYWORDS = new Set([
  'break', 'case', 'chan', 'const', 'continue', 'default', 'defer', 'else', 'fallthrough', 'for', 'func', 'go', 'goto',
  'if', 'import', 'interface', 'map', 'package', 'range', 'return', 'select', 'struct', 'switch', 'type', 'var',
]);
/** Keywords after which a newline ends the statement (Go's semicolon rule). */
const ENDING_KEYWORDS = new Set(['break', 'continue', 'fallthrough', 'return']);

/**
 * What a lazy parse leaves out of a file, read from the text with Go's lexical rules (comments,
 * strings, raw strings, runes, the semicolon rule); null when the text does not lex as Go or its
 * brackets do not balance. The caller checks each range against the tree (`sameBodies`,
 * `checkBlanked`): a lexing slip costs a full parse, never a wrong analysis.
 *
 * - `bodies`: the top-level function and method bodies, parsed later where the analysis reads them;
 * - `literals`: the composite literals of top-level `var` declarations (`var tables = []T{…}`),
 *   whose insides the package index never reads (package-index.ts skips `literal_value`); left
 *   alone in a declaration with `func` before them (`var f = func() T {…}`: that brace is a body);
 * - `constGroups`: the inside of `const (…)` (the index reads a const declaration's text only);
 * - `comments`: comments between top-level declarations (doc comments are read from the text).
 */
export function lazyRanges(text: string): { bodies: BodyRange[]; literals: BodyRange[]; constGroups: BodyRange[]; comments: BodyRange[] } | null {
  const bodies: BodyRange[] = [];
  const literals: BodyRange[] = [];
  const constGroups: BodyRange[] = [];
  const comments: BodyRange[] = [];
  // The keyword that began the current top-level declaration, and whether `func` came since.
  let declaration = '';
  let sawFunc = false;
  let constStart = -1;
  const n = text.length;
  let depth = 0;
  // Whether the last token ends a statement when a newline follows it.
  let endsLine = false;
  // Whether the next token starts a statement (file start, after `;` or a line that ended one).
  let atStatement = true;
  // Whether the last token was the `const` keyword starting a declaration.
  let afterConst = false;
  // Inside a function declaration's signature, and whether the next `{` opens a struct or
  // interface type rather than the body.
  let inSignature = false;
  let typeBrace = false;
  let i = 0;
  const newline = () => {
    if (endsLine && depth === 0) {
      atStatement = true;
      // `func f() int` + newline: a declaration without a body (assembly, linkname).
      inSignature = false;
    }
    endsLine = false;
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      newline();
      i++;
      continue;
    }
    if (c === 32 || c === 9 || c === 13 || c === 0xfeff) {
      i++;
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 47) {
      const nl = text.indexOf('\n', i);
      const end = nl < 0 ? n : nl;
      if (depth === 0) comments.push({ start: i, end });
      i = end;
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const close = text.indexOf('*/', i + 2);
      if (close < 0) return null;
      if (depth === 0) comments.push({ start: i, end: close + 2 });
      if (text.slice(i, close).includes('\n')) newline();
      i = close + 2;
      continue;
    }
    // A token: whether it starts a declaration is decided by what came before it.
    const startsStatement = atStatement;
    const constBefore = afterConst;
    atStatement = false;
    afterConst = false;
    if (c === 34 || c === 39 || c === 96) {
      const end = quoteEnd(text, i);
      if (end < 0) return null;
      i = end;
      endsLine = true;
      typeBrace = false;
      continue;
    }
    if (isWordStart(c) || (c >= 48 && c <= 57) || (c === 46 && isDigit(text.charCodeAt(i + 1)))) {
      let j = i + 1;
      while (j < n && isWordPart(text.charCodeAt(j))) j++;
      const word = text.slice(i, j);
      i = j;
      if (startsStatement && depth === 0) {
        declaration = word;
        sawFunc = false;
        afterConst = word === 'const';
      }
      if (KEYWORDS.has(word)) {
        endsLine = ENDING_KEYWORDS.has(word);
        typeBrace = word === 'struct' || word === 'interface';
        if (word === 'func') sawFunc = true;
        if (word === 'func' && startsStatement && depth === 0) inSignature = true;
      } else {
        endsLine = true;
        typeBrace = false;
      }
      continue;
    }
    // Punctuation.
    i++;
    if (c === 40 || c === 91 || c === 123) {
      const body = c === 123 && inSignature && depth === 0 && !typeBrace;
      if (body || (c === 123 && !typeBrace && declaration === 'var' && !sawFunc)) {
        // A body or a literal: only its braces, strings, runes and comments matter to find its end.
        const end = matchBrace(text, i - 1);
        if (end < 0) return null;
        (body ? bodies : literals).push({ start: i - 1, end });
        inSignature = false;
        i = end;
        endsLine = true;
        typeBrace = false;
        continue;
      } else if (c === 40 && constBefore && depth === 0) {
        constStart = i - 1;
      }
      depth++;
      endsLine = false;
    } else if (c === 41 || c === 93 || c === 125) {
      depth--;
      if (depth < 0) return null;
      if (c === 41 && depth === 0 && constStart >= 0) {
        constGroups.push({ start: constStart, end: i });
        constStart = -1;
      }
      endsLine = true;
    } else if (c === 59) {
      if (depth === 0) {
        atStatement = true;
        inSignature = false;
      }
      endsLine = false;
    } else if ((c === 43 || c === 45) && text.charCodeAt(i) === c) {
      i++;
      endsLine = true;
    } else endsLine = false;
    typeBrace = false;
  }
  return depth === 0 ? { bodies, literals, constGroups, comments } : null;
}

const BRACE_OR_QUOTE = /[{}"'`/]/g;

/** The offset just after the `}` matching the `{` at `open`, past strings, runes and comments; -1 if none. */
function matchBrace(text: string, open: number): number {
  let depth = 0;
  BRACE_OR_QUOTE.lastIndex = open;
  for (let m = BRACE_OR_QUOTE.exec(text); m; m = BRACE_OR_QUOTE.exec(text)) {
    const at = m.index;
    const c = text.charCodeAt(at);
    if (c === 123) depth++;
    else if (c === 125) {
      if (--depth === 0) return at + 1;
    } else if (c === 47) {
      const next = text.charCodeAt(at + 1);
      if (next === 47) {
        const nl = text.indexOf('\n', at);
        if (nl < 0) return -1;
        BRACE_OR_QUOTE.lastIndex = nl;
      } else if (next === 42) {
        const close = text.indexOf('*/', at + 2);
        if (close < 0) return -1;
        BRACE_OR_QUOTE.lastIndex = close + 2;
      }
    } else {
      const end = quoteEnd(text, at);
      if (end < 0) return -1;
      BRACE_OR_QUOTE.lastIndex = end;
    }
  }
  return -1;
}

/**
 * The offset just after the string, rune or raw string whose quote is at `at`; -1 when it does
 * not end (an interpreted string or rune at a line break, a raw string at the end of the text).
 */
function quoteEnd(text: string, at: number): number {
  const quote = text.charCodeAt(at);
  if (quote === 96) {
    const close = text.indexOf('`', at + 1);
    return close < 0 ? -1 : close + 1;
  }
  for (let j = at + 1; j < text.length; j++) {
    const d = text.charCodeAt(j);
    if (d === 92) j++;
    else if (d === quote) return j + 1;
    else if (d === 10) return -1;
  }
  return -1;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isWordStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 0x80;
}

function isWordPart(c: number): boolean {
  return isWordStart(c) || isDigit(c);
}

/** The text with each span (`start` to `end`, in order, disjoint) blanked: same length, same offsets. */
export function blankSpans(text: string, spans: readonly BodyRange[]): string {
  if (spans.length === 0) return text;
  const parts: string[] = [];
  let at = 0;
  for (const b of spans) {
    parts.push(text.slice(at, b.start), ' '.repeat(b.end - b.start));
    at = b.end;
  }
  parts.push(text.slice(at));
  return parts.join('');
}

/** The spans a lazy parse blanks: the inside of bodies, literals and const groups, and whole comments. */
export function lazySpans(r: NonNullable<ReturnType<typeof lazyRanges>>): BodyRange[] {
  const inside = (b: BodyRange) => ({ start: b.start + 1, end: b.end - 1 });
  return [...r.bodies.map(inside), ...r.literals.map(inside), ...r.constGroups.map(inside), ...r.comments].sort((a, b) => a.start - b.start);
}

/**
 * Blanks of the same length. tree-sitter never reads them (they lie outside the included ranges);
 * they are what the tree is read against (liteTree's offsets, the Go-rule checks' text scans).
 */
function blank(s: string): string {
  return ' '.repeat(s.length);
}

/** The text with everything outside the ranges (in order, disjoint) blanked: same length, same offsets. */
export function onlyRanges(text: string, ranges: readonly BodyRange[]): string {
  const parts: string[] = [];
  let at = 0;
  for (const r of ranges) {
    parts.push(blank(text.slice(at, r.start)), text.slice(r.start, r.end));
    at = r.end;
  }
  parts.push(blank(text.slice(at)));
  return parts.join('');
}

/** The parts of `[0, length)` outside the spans (in order, disjoint). */
export function complement(length: number, spans: readonly BodyRange[]): BodyRange[] {
  const out: BodyRange[] = [];
  let at = 0;
  for (const s of spans) {
    if (s.start > at) out.push({ start: at, end: s.start });
    at = s.end;
  }
  if (at < length) out.push({ start: at, end: length });
  return out;
}

/** The bodies of the tree's top-level function and method declarations, in order. */
export function treeFuncBodies(tree: Tree): BodyRange[] {
  const out: BodyRange[] = [];
  const cursor = tree.walk();
  if (!cursor.gotoFirstChild()) return out;
  do {
    const type = cursor.nodeType;
    if (type !== 'function_declaration' && type !== 'method_declaration') continue;
    if (!cursor.gotoFirstChild()) continue;
    do {
      if (cursor.currentFieldName === 'body') out.push({ start: cursor.startIndex, end: cursor.endIndex });
    } while (cursor.gotoNextSibling());
    cursor.gotoParent();
  } while (cursor.gotoNextSibling());
  return out;
}

/** Whether each literal is a `literal_value` of the tree and each const group a `const_declaration`'s, exactly. */
export function checkBlanked(tree: Tree, literals: readonly BodyRange[], constGroups: readonly BodyRange[]): boolean {
  for (const l of literals) {
    const node = tree.rootNode.descendantForIndex(l.start, l.end);
    if (node.type !== 'literal_value' || node.startIndex !== l.start || node.endIndex !== l.end) return false;
  }
  for (const g of constGroups) {
    const node = tree.rootNode.descendantForIndex(g.start, g.end);
    if (node.type !== 'const_declaration' || node.endIndex !== g.end) return false;
  }
  return true;
}

/** Whether two lists of bodies are the same. */
export function sameBodies(a: readonly BodyRange[], b: readonly BodyRange[]): boolean {
  return a.length === b.length && a.every((x, k) => x.start === b[k]!.start && x.end === b[k]!.end);
}

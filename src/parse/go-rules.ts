// The checks Go's parser makes that tree-sitter-go does not: tree-sitter accepts these files
// without an error node, but `go build` (and mostly gofmt) reject them, so they are never
// analysed or rewritten.
//
// A full walk of every tree would cost a quarter of the parse, so each rule scans the text for
// the few places it could be broken and asks the tree about those only (`descendantForIndex` is
// one native call; there is no recursion, whatever the nesting).
import type { SyntaxNode, SyntaxProblem, Tree } from './parser.js';
import { firstEscapeProblem } from './go-escapes.js';
import { unparen } from '../plan/go-syntax.js';

interface Located {
  node: SyntaxNode;
  message: string;
}

type Rule = (tree: Tree, text: string) => Located | null;

/**
 * The first place (in source order) where the file breaks a rule of Go's syntax that
 * tree-sitter-go does not enforce, as "not valid Go: …", or null. Assumes the tree has no
 * error node (check `firstSyntaxProblem` first).
 */
export function firstGoRuleProblem(tree: Tree, text: string, options: { bodiesOnly?: boolean } = {}): SyntaxProblem | null {
  const nul = text.indexOf('\u0000');
  if (nul >= 0) return { ...positionOf(text, nul), message: 'not valid Go: illegal character NUL' };
  let first: Located | null = null;
  // `bodiesOnly`: a text holding only some of the file's functions, blanks elsewhere (a scan's
  // second parse, parse/lazy-bodies.ts), whose top level is not the file's.
  for (const rule of options.bodiesOnly ? BODY_RULES : RULES) {
    const found = rule(tree, text);
    if (found && (!first || found.node.startIndex < first.node.startIndex)) first = found;
  }
  if (!first) return null;
  const { row, column } = first.node.startPosition;
  return { line: row + 1, column: column + 1, message: `not valid Go: ${first.message}` };
}

function positionOf(text: string, at: number): { line: number; column: number } {
  const before = text.slice(0, at);
  return { line: before.split('\n').length, column: at - (before.lastIndexOf('\n') + 1) + 1 };
}

const DECLARATIONS = new Set(['import_declaration', 'function_declaration', 'method_declaration', 'var_declaration', 'const_declaration', 'type_declaration']);

/** The package clause comes first, then imports, then declarations; never a statement. */
const topLevel: Rule = (tree) => {
  const cursor = tree.walk();
  let seenPackage = false;
  let seenDeclaration = false;
  let message: string | null = null;
  if (cursor.gotoFirstChild()) {
    do {
      const type = cursor.nodeType;
      if (type === 'comment' || type === ';' || type === '\n') continue;
      if (!seenPackage && type !== 'package_clause') message = 'the file must begin with a package clause';
      else if (type === 'package_clause') {
        if (seenPackage) message = 'a file has one package clause';
        seenPackage = true;
      } else if (!DECLARATIONS.has(type)) {
        // Other anonymous tokens are punctuation, not statements.
        if (cursor.nodeIsNamed) message = 'non-declaration statement outside function body';
      } else if (type !== 'import_declaration') seenDeclaration = true;
      else if (seenDeclaration) message = 'imports must appear before other declarations';
      // Only a problem needs a node object (the costly part of a cursor walk).
      if (message) return { node: cursor.currentNode, message };
    } while (cursor.gotoNextSibling());
  }
  return seenPackage ? null : { node: tree.rootNode, message: 'the file must begin with a package clause' };
};

/**
 * The token `word` at `at`, or null when `at` is inside a comment, a string or a longer word
 * (the text scan cannot tell; the tree can).
 */
function tokenAt(tree: Tree, at: number, word: string): SyntaxNode | null {
  const node = tree.rootNode.descendantForIndex(at, at + word.length);
  return node.type === word && node.startIndex === at ? node : null;
}

/**
 * The first confirmed problem among the matches of `pattern`, in source order. Every match holds
 * one of `needs`: a text holding none of them is not scanned (most of a scan's texts are
 * declarations with the bodies blanked, and a regex reads every blank).
 */
function firstAt(text: string, needs: readonly string[], pattern: RegExp, judge: (m: RegExpMatchArray) => Located | null): Located | null {
  if (!needs.some((n) => text.includes(n))) return null;
  for (const m of text.matchAll(pattern)) {
    const found = judge(m);
    if (found) return found;
  }
  return null;
}

/** `go x`, `defer 1`, `go (f())`: the operand must be a call, written without parentheses. */
const spawnedCall: Rule = (tree, text) =>
  // `go f(…)` and `defer x.y(…)` are calls; anything else (`go func() {…}()` too) is looked at.
  firstAt(text, ['go', 'defer'], /\b(go|defer)\b(?![ \t]+(?!func\b)[\w.]+[ \t]*\()/g, (m) => {
    const keyword = tokenAt(tree, m.index!, m[1]!);
    const stmt = keyword?.parent;
    const operand = stmt && code(stmt)[0];
    // A conversion `T(x)` is a call to go/parser; go/types rejects it later.
    if (!stmt || !operand || operand.type === 'call_expression' || operand.type === 'type_conversion_expression') return null;
    if (operand.type === 'parenthesized_expression' && unparen(operand).type === 'call_expression') return { node: stmt, message: `expression in ${m[1]} must not be parenthesized` };
    return { node: stmt, message: `${m[1]} statement must be a function call` };
  });

// What may stand left of `:=`: identifiers, and the predeclared names tree-sitter types apart.
const NAMES = new Set(['identifier', 'iota', 'true', 'false', 'nil']);

/** Only identifiers can be declared with `:=` (`a.b := 1`, `(a) := 1`, `m[k] := v` are not Go). */
const nonNameDefined: Rule = (tree, text) =>
  firstAt(text, [':='], /:=/g, (m) => {
    if (plainNamesBefore(text, m.index!)) return null;
    const owner = tokenAt(tree, m.index!, ':=')?.parent;
    if (!owner) return null;
    const left = owner.childForFieldName(owner.type === 'type_switch_statement' ? 'alias' : 'left');
    const names = left ? (left.type === 'expression_list' ? code(left) : [left]) : [];
    const bad = names.find((n) => !NAMES.has(n.type));
    return bad ? { node: bad, message: `non-name ${shortText(bad)} on left side of :=` } : null;
  });

/**
 * Whether the text from the statement's start to `at` holds only words, blanks and commas, none
 * starting with a digit: then every name left of `:=` is an identifier (or a keyword such as
 * `for`, `if`, `case`). A line ending in a comma continues the list.
 */
function plainNamesBefore(text: string, at: number): boolean {
  let i = at - 1;
  for (; i >= 0; i--) {
    const c = text.charCodeAt(i);
    if (c === 10 /* \n */) {
      let j = i - 1;
      while (j >= 0 && (text[j] === ' ' || text[j] === '\t' || text[j] === '\r')) j--;
      if (text[j] !== ',') break;
    } else if (!(isWordChar(c) || c === 32 || c === 9 || c === 13 || c === 44 /* , */)) break;
  }
  if (i >= 0 && !'\n;{}'.includes(text[i]!)) return false;
  return !/(?:^|[^\w])\d/.test(text.slice(i + 1, at));
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c > 127;
}

/** `for a, b, c := range x` declares at most two iteration variables. */
const rangeArity: Rule = (tree, text) =>
  firstAt(text, ['range'], /\brange\b/g, (m) => {
    if (commasBefore(text, m.index!) < 2) return null;
    const clause = tokenAt(tree, m.index!, 'range')?.parent;
    const left = clause?.type === 'range_clause' ? clause.childForFieldName('left') : null;
    return left && code(left).length > 2 ? { node: left, message: 'range clause permits at most two iteration variables' } : null;
  });

/** Commas between the start of the statement (its line, or a `;`, `{` or `}`) and `at`. */
function commasBefore(text: string, at: number): number {
  let commas = 0;
  for (let i = at - 1; i >= 0; i--) {
    const c = text[i]!;
    if (c === ',') commas++;
    else if (c === ';' || c === '{' || c === '}' || (c === '\n' && !/,[ \t\r]*$/.test(text.slice(Math.max(0, i - 80), i)))) break;
  }
  return commas;
}

/** A select case is a send, or a receive (`<-c`, possibly parenthesized) with an optional assignment. */
const selectCase: Rule = (tree, text) =>
  firstAt(text, ['select'], /\bselect\b/g, (m) => {
    const select = tokenAt(tree, m.index!, 'select')?.parent;
    if (select?.type !== 'select_statement') return null;
    for (const clause of code(select)) {
      const comm = clause.type === 'communication_case' ? clause.childForFieldName('communication') : null;
      const right = comm?.type === 'receive_statement' ? comm.childForFieldName('right') : null;
      if (!right) continue;
      const recv = unparen(right);
      if (!(recv.type === 'unary_expression' && recv.child(0)?.type === '<-')) return { node: right, message: 'select case must be send or receive (possibly with assignment)' };
    }
    return null;
  });

/** A method has exactly one receiver: `func () m()` and `func (a, b T) m()` are not Go. */
const receiver: Rule = (tree, text) =>
  // `func (…) name(` or `name[`: a method's receiver (func types and literals have no name there).
  firstAt(text, ['func'], /\bfunc[ \t]*\(([^)]*)\)[ \t]*\w+[ \t]*[(\[]/g, (m) => {
    // Empty, several, or hidden behind a comment: worth asking the tree.
    if (!/^\s*$|,|\/[*/]/.test(m[1]!)) return null;
    const method = tokenAt(tree, m.index!, 'func')?.parent;
    const list = method?.type === 'method_declaration' ? method.childForFieldName('receiver') : null;
    if (!list) return null;
    const params = code(list).filter((c) => c.type === 'parameter_declaration' || c.type === 'variadic_parameter_declaration');
    if (params.length === 0) return { node: list, message: 'method has no receiver' };
    if (params.length > 1 || params[0]!.childrenForFieldName('name').length > 1) return { node: list, message: 'method has multiple receivers' };
    return null;
  });

/** `...` marks the last parameter only, and never a result. */
const variadic: Rule = (tree, text) =>
  // A variadic `...` is followed by its type; `xs...)` spreads and `[...]T` counts.
  firstAt(text, ['...'], /(?<!\[[ \t]*)\.\.\.(?=[ \t]*[\w*[(<\/])/g, (m) => {
    const param = tokenAt(tree, m.index!, '...')?.parent;
    const list = param?.type === 'variadic_parameter_declaration' ? param.parent : null;
    if (!param || !list) return null;
    const result = list.parent?.childForFieldName('result');
    if (result && result.startIndex === list.startIndex && result.type === list.type) return { node: param, message: 'invalid use of ... in a result list' };
    const params = code(list);
    return params[params.length - 1]?.startIndex === param.startIndex ? null : { node: param, message: 'can only use ... with final parameter' };
  });

/**
 * A label labels a statement; at the end of a block Go supplies an empty one, but not before the
 * next `case` or `default` of a switch or select (`L: case 1:`).
 */
const labelBeforeCase: Rule = (tree, text) =>
  // A colon that ends its line (a comment aside) and a `case` or `default` first on a later one.
  firstAt(text, ['case', 'default'], /:[ \t]*(?:\/\/[^\n]*)?\r?\n(?:[ \t]*(?:\/\/[^\n]*)?\r?\n)*[ \t]*(case|default)\b/g, (m) => {
    const label = tree.rootNode.descendantForIndex(Math.max(0, m.index! - 1));
    const stmt = label.type === 'label_name' ? label.parent : null;
    if (stmt?.type !== 'labeled_statement' || code(stmt).some((c) => c.type !== 'label_name')) return null;
    return { node: stmt, message: `a label must label a statement; found '${m[1]}'` };
  });

const escapes: Rule = (tree, text) => firstEscapeProblem(tree, text);

const BODY_RULES: Rule[] = [spawnedCall, nonNameDefined, rangeArity, selectCase, receiver, variadic, labelBeforeCase, escapes];
const RULES: Rule[] = [topLevel, ...BODY_RULES];

function code(node: SyntaxNode): SyntaxNode[] {
  return node.namedChildren.filter((c) => c.type !== 'comment');
}

/** A node's text for a message: its first line, at most 40 characters. */
function shortText(node: SyntaxNode): string {
  const line = node.text.split('\n')[0]!;
  return line.length > 40 || line !== node.text ? `${line.slice(0, 40)}…` : line;
}

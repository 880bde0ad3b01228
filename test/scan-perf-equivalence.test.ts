// The scan's fast copy of syntax trees (liteTree) works out most node positions from the text
// instead of asking the native binding. It must give exactly what the binding gives.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGo, type SyntaxNode } from '../src/parse/parser.js';
import { cursorLiteTree, flatTreesInUse, liteTree, type LNode } from '../src/analysis/syntax.js';

interface Ref {
  type: string;
  start: number;
  end: number;
  field: string | null;
  children: Ref[];
  op?: string;
  skipped?: boolean;
}

/**
 * The named nodes under `root` with every position read from the binding (no shortcuts), the
 * operator token of the nodes that have one, and function bodies left out when `skipBodies`.
 */
function reference(root: SyntaxNode, stop: (type: string) => boolean, skipBodies = false): Ref {
  const out: Ref = { type: root.type, start: root.startIndex, end: root.endIndex, field: null, children: [] };
  const cursor = root.walk();
  const visit = (parent: Ref) => {
    if (!cursor.gotoFirstChild()) return;
    do {
      if (!cursor.nodeIsNamed) {
        if (OPERATOR_PARENTS.has(parent.type) && cursor.currentFieldName === 'operator') parent.op = cursor.nodeType;
        continue;
      }
      const node: Ref = { type: cursor.nodeType, start: cursor.startIndex, end: cursor.endIndex, field: cursor.currentFieldName ?? null, children: [] };
      parent.children.push(node);
      if (skipBodies && node.field === 'body' && node.type === 'block' && /^(?:function|method)_declaration$/.test(parent.type)) node.skipped = true;
      else if (!stop(node.type)) visit(node);
    } while (cursor.gotoNextSibling());
    cursor.gotoParent();
  };
  visit(out);
  return out;
}

const OPERATOR_PARENTS = new Set(['assignment_statement', 'unary_expression', 'binary_expression']);

function strip(n: LNode): Ref {
  return { type: n.type, start: n.start, end: n.end, field: n.field, children: n.children.map(strip), ...(n.op ? { op: n.op } : {}), ...(n.skipped ? { skipped: true } : {}) };
}

// Types liteTree does not descend into (it keeps them as leaves).
const LEAVES = new Set([
  'comment', 'interpreted_string_literal', 'raw_string_literal', 'rune_literal', 'int_literal', 'float_literal',
  'imaginary_literal', 'identifier', 'field_identifier', 'type_identifier', 'package_identifier', 'label_name',
  'map_type', 'pointer_type', 'slice_type', 'array_type', 'implicit_length_array_type', 'channel_type',
  'function_type', 'qualified_type', 'generic_type', 'interface_type', 'parenthesized_type', 'negated_type',
]);

// What the package index reads of declarations: bodies left out, these kept as leaves.
const TOP_LEVEL_SKIPPED = new Set(['literal_value', 'const_declaration']);

/** Both ways of reading a tree (one native call, and the cursor) give the binding's nodes. */
function expectSame(text: string): void {
  const tree = parseGo(text);
  expect(tree.rootNode.hasError).toBe(false);
  const whole = reference(tree.rootNode, (t) => LEAVES.has(t));
  expect(strip(liteTree(tree.rootNode, text))).toEqual(whole);
  expect(strip(cursorLiteTree(tree.rootNode, text))).toEqual(whole);
  const declarations = reference(tree.rootNode, (t) => LEAVES.has(t) || TOP_LEVEL_SKIPPED.has(t), true);
  expect(strip(liteTree(tree.rootNode, text, true, TOP_LEVEL_SKIPPED))).toEqual(declarations);
  expect(strip(cursorLiteTree(tree.rootNode, text, true, TOP_LEVEL_SKIPPED))).toEqual(declarations);
  // A subtree (a function body, as the scan reads it) too.
  const fn = tree.rootNode.namedChildren.find((c) => c.type === 'function_declaration' || c.type === 'method_declaration');
  const body = fn?.childForFieldName('body');
  if (body) {
    const inner = reference(body, (t) => LEAVES.has(t));
    expect(strip(liteTree(body, text))).toEqual(inner);
    expect(strip(cursorLiteTree(body, text))).toEqual(inner);
  }
}

it('reads trees in one native call here (the grammar binding flattens them)', () => {
  expect(flatTreesInUse()).toBe(true);
});

const EDGE_CASES: [string, string][] = [
  ['CRLF line ends, line comment at the end without a newline', 'package p\r\n\r\n// c\r\nfunc f(m map[string]int) { // t\r\n\tm["a\\"b\\\\"] = 1 /* b */\r\n\tx := `raw\r\nline`\r\n\t_ = x\r\n}\r\n// last'],
  ['non-ASCII identifiers, strings and comments', 'package p\n\nvar π = 3\nvar ünï = map[string]int{"ä": 1}\n\nfunc g() {\n\tvar 変数 = π\n\t_ = 変数 /* ü */\n\tfor k := range ünï {\n\t\tünï[k+"é"] = 2\n\t}\n\ts := "\\u00e9\\x41\\n\\t\\""\n\t_ = s\n\tr := \'ü\'\n\t_ = r\n}\n'],
  ['no newline at the end, block comments, slices, goroutines', 'package p\n/* multi\n * line */\nfunc k() { a := []int{1,2,3,}; _ = a[1:2]; go func() { <-make(chan int) }() }'],
  ['labels, operators, generics', 'package p\n\ntype S[T any] struct{ m map[string]T }\n\nfunc (s *S[T]) f(v T) {\nL:\n\tfor k := range s.m {\n\t\tif k == "" { break L }\n\t\ts.m[k] = v\n\t}\n\tx := 1\n\tx += 2\n\tx++\n\t_ = -x &^ 3\n\tp := &x\n\t*p = 4\n}\n'],
  ['tab-separated tokens and empty statements', 'package p\nfunc e()\t{\t;\t;\tvar\tx\t=\t1;\t_\t=\tx\t}\n'],
];

describe('liteTree positions equal the binding’s', () => {
  it.each(EDGE_CASES)('%s', (_name, text) => {
    expectSame(text);
  });

  it('on every fixture', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(dir, e.name));
        else if (e.name.endsWith('.go')) files.push(join(dir, e.name));
      }
    };
    walk(join(import.meta.dirname, '..', 'fixtures'));
    expect(files.length).toBeGreaterThan(0);
    let compared = 0;
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      if (parseGo(text).rootNode.hasError) continue;
      expectSame(text);
      compared++;
    }
    expect(compared).toBeGreaterThan(0);
  });
});

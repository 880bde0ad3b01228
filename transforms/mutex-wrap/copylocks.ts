// A struct that gains a mutex must never be copied afterwards (vet's copylocks check).
import type { SyntaxNode } from '../../src/parse/parser.js';
import type { TextEdit } from '../../src/plan/model.js';
import type { PackageView } from '../../src/plan/transform.js';
import { descendants, isAssignedTo, sameNode } from '../../src/plan/go-syntax.js';
import { leavesNamed } from '../../src/plan/occurrences.js';

/**
 * Finds a use of `typeName` as a value (a parameter, result, variable, slice or map element,
 * embedded field, or a literal not taken by address): each would copy the mutex. Value receivers
 * are not hazards here: receiverEdits turns them into pointer receivers when that is faithful.
 */
export function copyHazards(typeName: string, pkg: PackageView, seen: Set<string> = new Set()): { decline: string | null } {
  // Only the type that gains the mutex gets its value receivers rewritten (receiverEdits).
  const holderOnly = seen.size > 0;
  seen.add(typeName);
  for (const file of pkg.files) {
    for (const n of leavesNamed(file, 'type_identifier', typeName)) {
      const where = `${file.rel}:${n.startPosition.row + 1}`;
      // `Cache[K, V]`: the instantiated generic type stands where the name would.
      const p = n.parent?.type === 'generic_type' ? n.parent.parent : n.parent;
      if (!p) continue;
      if (p.type === 'type_spec' && sameNode(p.childForFieldName('name'), n)) continue;
      if (p.type === 'type_parameter_list' || p.type === 'type_arguments') continue;
      // `atomic.Pointer[T]`: the grammar wraps each type argument in a type_elem.
      if (p.type === 'type_elem' && p.parent?.type === 'type_arguments') continue;
      if (p.type === 'pointer_type') continue;
      // An embedded pointer (`*T` in a struct): tree-sitter puts the `*` beside the name.
      if (p.type === 'field_declaration' && n.previousSibling?.type === '*') continue;
      // A field (or an embedded value) of a struct that is itself never copied: the mutex stays put.
      if (p.type === 'field_declaration') {
        const holder = enclosingTypeName(p);
        if (holder && !seen.has(holder)) {
          const inner = copyHazards(holder, pkg, seen);
          if (inner.decline === null) continue;
          return { decline: `${typeName} is held by value in ${holder} (${where}), and ${inner.decline.replace(/; adding a mutex to it would copy the mutex$/, '')}; adding a mutex to ${typeName} would copy the mutex` };
        }
      }
      if (p.type === 'composite_literal' && p.parent?.type === 'unary_expression' && p.parent.child(0)?.type === '&') continue;
      // `&Holder{f: T{…}}`: the literal fills a field of the package's struct in place; whether
      // that holder is copied is decided where the field is declared (above).
      if (p.type === 'composite_literal' && p.parent?.type === 'literal_element' && p.parent.parent?.type === 'keyed_element') {
        const outer = p.parent.parent.parent?.parent;
        const outerType = outer?.type === 'composite_literal' ? outer.childForFieldName('type')?.text : undefined;
        if (outerType && pkg.index.structs.has(outerType)) continue;
      }
      if (p.type === 'argument_list' && p.parent?.childForFieldName('function')?.text === 'new') continue;
      if (!holderOnly && p.type === 'parameter_declaration' && p.parent?.parent?.type === 'method_declaration' && sameNode(p.parent, p.parent.parent.childForFieldName('receiver')!)) {
        const method = p.parent.parent;
        const bad = valueReceiverProblem(method, p);
        if (bad) return { decline: `the value receiver of ${method.childForFieldName('name')?.text} (${where}) ${bad}; adding a mutex to ${typeName} would copy it` };
        continue;
      }
      return { decline: `${typeName} is used as a value at ${where} (${p.text.split('\n')[0]!.slice(0, 60)}); adding a mutex to it would copy the mutex` };
    }
  }
  return { decline: null };
}

/** The name of the struct type a field declaration belongs to (`type Holder struct { … }`), or null. */
function enclosingTypeName(field: SyntaxNode): string | null {
  let n: SyntaxNode | null = field.parent;
  while (n && n.type !== 'type_spec') {
    // A field of an anonymous struct inside another declaration: not a named holder.
    if (n.type === 'struct_type' && n.parent?.type !== 'type_spec') return null;
    n = n.parent;
  }
  return n?.childForFieldName('name')?.text ?? null;
}

/** Why a value receiver cannot become a pointer receiver without changing behaviour, or null. */
function valueReceiverProblem(method: SyntaxNode, recv: SyntaxNode): string | null {
  const name = recv.childForFieldName('name')?.text;
  if (!name || name === '_') return null;
  const body = method.childForFieldName('body');
  if (!body) return null;
  for (const n of descendants(body)) {
    if (n.type === 'identifier' && n.text === name) {
      const p = n.parent!;
      // `recv.field` reads and map/slice element writes behave the same through a pointer.
      if (p.type === 'selector_expression' && sameNode(p.childForFieldName('operand'), n)) {
        const assigned = p.parent;
        if (assigned && isAssignedTo(p)) return `assigns to ${p.text}`;
        if (assigned?.type === 'unary_expression' && assigned.child(0)?.type === '&') return `takes the address of ${p.text}`;
        continue;
      }
      return `uses the receiver as a whole value (${p.text.split('\n')[0]!.slice(0, 40)})`;
    }
  }
  return null;
}

/** Turns value receivers of `typeName` into pointer receivers. */
export function receiverEdits(typeName: string, pkg: PackageView): TextEdit[] {
  const edits: TextEdit[] = [];
  for (const f of pkg.index.funcs) {
    if (f.recvType !== typeName || f.recvPointer || f.literal) continue;
    const method = f.file.tree.rootNode.descendantForIndex(f.start, f.end - 1);
    const recv = method.childForFieldName('receiver')?.namedChildren[0];
    const type = recv?.childForFieldName('type');
    if (!type || (type.text !== typeName && !type.text.startsWith(`${typeName}[`))) continue;
    edits.push({ file: f.file.rel, start: type.startIndex, end: type.startIndex, text: '*' });
  }
  return edits;
}

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
export function copyHazards(typeName: string, pkg: PackageView): { decline: string | null } {
  for (const file of pkg.files) {
    for (const n of leavesNamed(file, 'type_identifier', typeName)) {
      const where = `${file.rel}:${n.startPosition.row + 1}`;
      // `Cache[K, V]`: the instantiated generic type stands where the name would.
      const p = n.parent?.type === 'generic_type' ? n.parent.parent : n.parent;
      if (!p) continue;
      if (p.type === 'type_spec' && sameNode(p.childForFieldName('name'), n)) continue;
      if (p.type === 'type_parameter_list' || p.type === 'type_arguments') continue;
      if (p.type === 'pointer_type') continue;
      if (p.type === 'composite_literal' && p.parent?.type === 'unary_expression' && p.parent.child(0)?.type === '&') continue;
      if (p.type === 'argument_list' && p.parent?.childForFieldName('function')?.text === 'new') continue;
      if (p.type === 'parameter_declaration' && p.parent?.parent?.type === 'method_declaration' && sameNode(p.parent, p.parent.parent.childForFieldName('receiver')!)) {
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

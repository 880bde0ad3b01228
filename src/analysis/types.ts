// Go type text helpers: the analysis works on declared type text, not on a type checker.

/** Removes a leading `*`, generic arguments and surrounding spaces: `*Cache[K, V]` → `Cache`. */
export function baseTypeName(type: string): string {
  let t = type.trim();
  while (t.startsWith('*')) t = t.slice(1).trim();
  while (t.startsWith('(') && t.endsWith(')')) t = t.slice(1, -1).trim();
  const bracket = t.indexOf('[');
  if (bracket > 0 && !t.startsWith('map[') && !t.startsWith('[')) t = t.slice(0, bracket);
  return t;
}

export function isPointer(type: string): boolean {
  return type.trim().startsWith('*');
}

export function isMapTypeText(type: string): boolean {
  return type.trim().startsWith('map[');
}

export function isFuncTypeText(type: string): boolean {
  return /^func\s*\(/.test(type.trim());
}

/** Splits `map[K]V` text into its key and value types, or null when it is not a map type. */
export function splitMapType(type: string): { key: string; value: string } | null {
  const t = type.trim();
  if (!t.startsWith('map[')) return null;
  let depth = 0;
  for (let i = 3; i < t.length; i++) {
    const c = t[i];
    if (c === '[') depth++;
    else if (c === ']' && --depth === 0) return { key: t.slice(4, i).trim(), value: t.slice(i + 1).trim() };
  }
  return null;
}

export function mapValueType(type: string): string | null {
  return splitMapType(type)?.value ?? null;
}

export function mapKeyType(type: string): string | null {
  return splitMapType(type)?.key ?? null;
}

/** Normalises whitespace in type text so equal types compare equal. */
export function normType(type: string): string {
  return type.replace(/\s+/g, ' ').replace(/\s*([[\](),*])\s*/g, '$1').replace(/,/g, ', ').trim();
}

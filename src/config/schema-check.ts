// Checks a JSON value against the small subset of JSON Schema that schema/gomapfix.schema.json uses.
// The schema file is the one source of truth: this interprets it, and refuses a keyword it does not
// know (so the schema cannot grow a constraint that is silently not enforced).

/** A JSON Schema node, as far as this checker reads one. */
export interface SchemaNode {
  type?: 'object' | 'array' | 'string' | 'boolean' | 'integer' | 'number';
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean;
  items?: SchemaNode;
  enum?: unknown[];
  minimum?: number;
  minLength?: number;
}

/** Keywords the checker enforces, and annotations it may skip. */
const ENFORCED = new Set(['type', 'properties', 'additionalProperties', 'items', 'enum', 'minimum', 'minLength']);
const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', 'default', 'examples']);

/**
 * The first place where `value` breaks `schema`: the key path (`fix.strategy`, `exclude[2]`) and
 * a one-line message naming it; null when it conforms.
 */
export function firstViolation(schema: SchemaNode, value: unknown, path = ''): { key: string; message: string } | null {
  for (const k of Object.keys(schema)) {
    if (!ENFORCED.has(k) && !ANNOTATIONS.has(k)) throw new Error(`schema keyword "${k}" at ${path || 'the top'} is not supported by src/config/schema-check.ts`);
  }
  const key = path || 'the top level';
  const here = path ? `"${path}"` : 'the top level';
  if (schema.type && !hasType(value, schema.type)) return { key, message: `${here} must be ${article(schema.type)}, got ${describe(value)}` };
  if (schema.enum && !schema.enum.some((e) => e === value)) return { key, message: `${here} must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}, got ${JSON.stringify(value)}` };
  if (typeof value === 'number' && schema.minimum !== undefined && value < schema.minimum) return { key, message: `${here} must be at least ${schema.minimum}, got ${value}` };
  if (typeof value === 'string' && schema.minLength !== undefined && value.length < schema.minLength) return { key, message: schema.minLength === 1 ? `${here} must not be empty` : `${here} must be at least ${schema.minLength} characters long` };
  if (Array.isArray(value) && schema.items) {
    for (let i = 0; i < value.length; i++) {
      const v = firstViolation(schema.items, value[i], `${path}[${i}]`);
      if (v) return v;
    }
  }
  if (isObject(value)) {
    const props = schema.properties ?? {};
    for (const [k, v] of Object.entries(value)) {
      const child = props[k];
      const sub = path ? `${path}.${k}` : k;
      if (!child) {
        if (schema.additionalProperties === false) {
          const known = Object.keys(props).filter((p) => p !== '$schema');
          return { key: sub, message: `unknown key "${sub}"${known.length > 0 ? ` (known keys${path ? ` of "${path}"` : ''}: ${known.join(', ')})` : ''}` };
        }
        continue;
      }
      const bad = firstViolation(child, v, sub);
      if (bad) return bad;
    }
  }
  return null;
}

function hasType(value: unknown, type: NonNullable<SchemaNode['type']>): boolean {
  switch (type) {
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    default:
      return typeof value === type;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function article(type: string): string {
  return type === 'object' ? 'an object' : type === 'array' ? 'an array' : type === 'integer' ? 'an integer' : `a ${type}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number' && !Number.isInteger(value)) return `the number ${value}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

// atomic-swap (docs/transforms/atomic-swap.md): variants of the proven fixture cases, each
// planned for real, pinning what the transform rewrites, where it declines and why, and when
// auto picks it. The fixture cases under fixtures/atomic-swap/ prove the rewrites with Go.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFixes } from '../src/fix.js';
import { assertBuilt, cleanupTemp, tempTree } from './helpers/cli.js';
import { fixtureInput, scanFiles, swapIn } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const mod = (v: string) => `module example.com/fixture\n\ngo ${v}\n`;
const ROUTER = fixtureInput('atomic-swap/config-reload');
const CATALOG = fixtureInput('atomic-swap/entries-stored-after-the-literal');
const LIMITS = fixtureInput('atomic-swap/package-var-limits');
const PARSED = fixtureInput('atomic-swap/reload-from-a-parse-function');

function plan(src: string, strategy = 'atomic-swap', go = '1.19') {
  const dir = tempTree({ 'go.mod': mod(go), 'input.go': src });
  return planFixes([dir], { cwd: dir, includeReview: true, strategy });
}

function rewritten(src: string, go = '1.19'): string {
  const p = plan(src, 'atomic-swap', go);
  expect(p.declined.map((d) => d.reason)).toEqual([]);
  return p.files.find((f) => f.path.endsWith('input.go'))!.after;
}

function declined(src: string, go = '1.19'): string {
  const p = plan(src, 'atomic-swap', go);
  expect(p.files).toEqual([]);
  expect(p.declined).toHaveLength(1);
  return p.declined[0]!.reason;
}

const RELOAD = '\tr.routes = next\n';

describe('atomic-swap rewrites', () => {
  it('replacements store, reads load, the empty initialiser goes, and the helper is added once', () => {
    const p = plan(ROUTER);
    const out = p.files.find((f) => f.path.endsWith('input.go'))!.after;
    expect(out).toContain('\troutes atomic.Pointer[map[string]string]\n');
    expect(out).toContain('return &Router{name: name}\n');
    expect(out).toContain('\tr.routes.Store(&next)\n');
    expect(out).toContain('\tr.routes.Store(nil)\n');
    expect(out).toContain('b, ok := loadMap(&r.routes)[path]');
    expect(out).toContain('for p := range loadMap(&r.routes) {');
    expect(p.files.filter((f) => f.path.endsWith('gomapfix_helpers.go'))).toHaveLength(1);
    expect(p.fixes[0]!.safety).toBe('safe');
  });

  it('a literal or make stored directly: the address of a map literal', () => {
    let out = rewritten(swapIn(ROUTER, '\tr.routes = nil\n', '\tr.routes = make(map[string]string, 4)\n'));
    expect(out).toContain('\tr.routes.Store(&map[string]string{})\n');
    out = rewritten(swapIn(ROUTER, '\tr.routes = nil\n', '\tr.routes = map[string]string{"/": "root"}\n'));
    expect(out).toContain('\tr.routes.Store(&map[string]string{"/": "root"})\n');
  });

  it('several reads in one function load once, into a local named after the field', () => {
    const out = rewritten(CATALOG, '1.22');
    expect(out).toContain('\tprices := loadMap(&c.prices)\n\tif p, ok := prices[item]; ok {\n\t\treturn p\n\t}\n\treturn prices["default"]\n');
  });

  it('a call of the package between the reads (it could replace the map): each read loads on its own', () => {
    let src = swapIn(CATALOG, '\treturn c.prices["default"]\n', '\tc.touch()\n\treturn c.prices["default"]\n');
    src += '\nfunc (c *Catalog) touch() {}\n';
    const out = rewritten(src, '1.22');
    expect(out).toContain('if p, ok := loadMap(&c.prices)[item]; ok {');
    expect(out).toContain('\treturn loadMap(&c.prices)["default"]\n');
  });

  it('a local already named after the field: the next name', () => {
    const src = swapIn(CATALOG, '\tif p, ok := c.prices[item]; ok {\n', '\tprices := 0\n\t_ = prices\n\tif p, ok := c.prices[item]; ok {\n');
    expect(rewritten(src, '1.22')).toContain('\tpricesNow := loadMap(&c.prices)\n');
  });

  it('a package variable: its declaration keeps its name and gets the pointer type', () => {
    const out = rewritten(LIMITS, '1.21');
    expect(out).toContain('\nvar limits atomic.Pointer[map[string]int]\n');
    expect(out).toContain('\tlimits.Store(&next)\n');
  });
});

describe('atomic-swap and other fields the reload sets', () => {
  const withFlag = (type: string, set: string) => {
    let src = swapIn(ROUTER, '\troutes map[string]string\n', `\troutes map[string]string\n\tready  ${type}\n`);
    if (type.startsWith('atomic.')) src = swapIn(src, '\t"strings"\n', '\t"strings"\n\t"sync/atomic"\n');
    return swapIn(src, RELOAD, `\t${set}\n${RELOAD}`);
  };

  it('a plain field set where the map is swapped: review, naming it', () => {
    const p = plan(withFlag('bool', 'r.ready = true'));
    expect(p.fixes.map((f) => f.safety)).toEqual(['review']);
    expect(p.fixes[0]!.reason).toMatch(/Review: input\.go:31 swaps the map in a function that also sets r\.ready \(input\.go:30\): readers see those change apart from the map/);
  });

  it('an atomic field: safe', () => {
    const p = plan(withFlag('atomic.Bool', 'r.ready.Store(true)'));
    expect(p.fixes.map((f) => f.safety)).toEqual(['safe']);
  });
});

describe('atomic-swap declines', () => {
  it('an entry written into the live map', () => {
    const src = swapIn(ROUTER, '\tr.routes = nil\n', '\tr.routes["/"] = "root"\n');
    expect(declined(src)).toMatch(/^r\.routes\["\/"\] = "root" at input\.go:\d+ writes into the live map; atomic-swap needs every change to build a new map/);
  });

  it('a delete from the live map', () => {
    const src = swapIn(ROUTER, '\tr.routes = nil\n', '\tdelete(r.routes, "/")\n');
    expect(declined(src)).toMatch(/delete\(r\.routes, "\/"\) at input\.go:\d+ writes into the live map/);
  });

  it('the stored map written into after the store', () => {
    const src = swapIn(ROUTER, RELOAD, RELOAD + '\tnext["/"] = "root"\n');
    expect(declined(src)).toMatch(/writes into next after it is stored in Router\.routes/);
  });

  it('the stored map reassigned after the store (Store keeps the variable\'s address)', () => {
    const src = swapIn(ROUTER, RELOAD, RELOAD + '\tnext = nil\n\t_ = next\n');
    expect(declined(src)).toMatch(/next is used at input\.go:\d+ .* in a way that could change it, or hand it on/);
  });

  it('the stored map used by a function literal', () => {
    const src = swapIn(ROUTER, RELOAD, '\tfunc() { _ = len(next) }()\n' + RELOAD);
    expect(declined(src)).toMatch(/a function literal uses next at input\.go:\d+/);
  });

  it('a map from a call, and a parameter', () => {
    let src = swapIn(ROUTER, RELOAD, '\tr.routes = parse(config)\n') + '\nfunc parse(string) map[string]string { return nil }\n';
    expect(declined(src)).toMatch(/stores a map the function did not build \(parse\(config\)\)/);
    src = swapIn(ROUTER, '\tr.routes = nil\n', '\tr.routes = nil\n}\n\nfunc (r *Router) Set(table map[string]string) {\n\tr.routes = table\n');
    expect(declined(src)).toMatch(/table, stored in Router\.routes at input\.go:\d+, is not declared in the function that stores it/);
  });

  it('the map compared with nil', () => {
    const src = swapIn(ROUTER, '\treturn len(r.routes)\n', '\tif r.routes == nil {\n\t\treturn -1\n\t}\n\treturn len(r.routes)\n');
    expect(declined(src)).toMatch(/r\.routes == nil at input\.go:\d+ compares r\.routes with nil/);
  });

  it("another type's field of the same name (the scan records no access of this map there)", () => {
    const src = ROUTER + '\ntype Mirror struct {\n\troutes []string\n}\n\nfunc (m *Mirror) Add(p string) {\n\tm.routes = append(m.routes, p)\n}\n\nfunc (m *Mirror) Reset() {\n\tm.routes = nil\n}\n';
    expect(declined(src)).toMatch(/^input\.go:\d+ names m\.routes, which the scan could not tell to be Router\.routes/);
  });

  it('go 1.18', () => {
    expect(declined(ROUTER, '1.18')).toBe('atomic.Pointer is go 1.19 and go.mod says 1.18; raise the go directive or use mutex-wrap');
  });

  it('another package imported as atomic in the declaring file', () => {
    const src = swapIn(ROUTER, '\t"strings"\n', '\t"strings"\n\n\tatomic "example.com/fixture/uatomic"\n') + '\nvar _ = atomic.X\n';
    expect(declined(src)).toMatch(/imports example\.com\/fixture\/uatomic as atomic; importing sync\/atomic there would clash/);
  });

  it('a package variable initialised with entries', () => {
    const src = swapIn(LIMITS, 'var limits = map[string]int{}\n', 'var limits = map[string]int{"root": 100}\n');
    expect(declined(src, '1.21')).toMatch(/limits is initialised with entries at input\.go:\d+; store them in init\(\) by hand/);
  });
});

describe('auto and atomic-swap', () => {
  it('a map only replaced whole: auto picks atomic-swap for the concurrent-map-write', () => {
    const p = plan(ROUTER, 'auto');
    expect(p.fixes.map((f) => f.transform)).toEqual(['atomic-swap']);
    expect(p.fixes[0]!.reason).toMatch(/^auto chose atomic-swap: Router\.routes is only ever replaced whole and read/);
  });

  it('a map also written into in place: auto does not try atomic-swap', () => {
    const p = plan(swapIn(ROUTER, '\tr.routes = nil\n', '\tr.routes["/"] = "root"\n'), 'auto');
    expect(p.fixes.map((f) => f.transform)).not.toContain('atomic-swap');
    expect(p.fixes[0]!.reason).not.toMatch(/atomic-swap/);
  });

  it('a map with a lock some accesses forget: the lock comes first', () => {
    let src = swapIn(ROUTER, '\troutes map[string]string\n', '\tmu     sync.Mutex\n\troutes map[string]string\n');
    src = swapIn(src, '\t"strings"\n', '\t"strings"\n\t"sync"\n');
    src = swapIn(src, RELOAD, '\tr.mu.Lock()\n\tr.routes = next\n\tr.mu.Unlock()\n');
    src = swapIn(src, '\tr.routes = nil\n', '\tr.mu.Lock()\n\tr.routes = nil\n\tr.mu.Unlock()\n');
    const p = plan(src, 'auto');
    expect(p.findings.map((f) => f.rule)).toContain('unguarded-map-access');
    expect(p.fixes.every((f) => f.transform === 'mutex-wrap')).toBe(true);
  });
});

describe('mutex-wrap inline and a map stored from a local', () => {
  // The scan does not follow the map into `next` once it is stored, so inline would lock only the
  // store and leave the later write into the live map racing: it declines instead
  // (fixtures/atomic-swap/declines-written-after-store, whose strategy-table row proves that).
  const inline = (src: string) => {
    const dir = tempTree({ 'go.mod': mod('1.19'), 'input.go': src });
    return planFixes([dir], { cwd: dir, includeReview: true, strategy: 'mutex-wrap', style: 'inline' });
  };

  it('a use of the local after the store: declines, naming both lines', () => {
    const p = inline(swapIn(ROUTER, RELOAD, RELOAD + '\tnext["/"] = "root"\n'));
    expect(p.files).toEqual([]);
    expect(p.declined.map((d) => d.reason).join('\n')).toMatch(/^input\.go:30 uses next \(next\["\/"\] = "root"\) after input\.go:29 stored it in r\.routes: from there on next is the live map/);
  });

  it('the local filled before the store only: the store is locked', () => {
    const p = inline(ROUTER);
    expect(p.declined).toEqual([]);
    expect(p.files[0]!.after).toContain('\tr.mu.Lock()\n\tr.routes = next\n\tr.mu.Unlock()\n');
  });
});

describe('storing what a call returns', () => {
  // `r.routes = parse(config)` writes r.routes when parse returns a map it made itself; a call
  // that hands back another value's map (a getter) copies that map in, which the scan leaves out
  // as it does `o.m = other.m` (per-instance assembly; see walker assign).
  const writesAt = (src: string) =>
    scanFiles({ 'input.go': src })
      .filter((f) => f.map.name === 'Router.routes')
      .flatMap((f) => f.evidence.filter((e) => e.kind === 'access' && /^written/.test(e.message)).map((e) => e.line));

  it('a function returning a map it made: the store is a write', () => {
    expect(writesAt(PARSED)).toContain(45);
  });

  it('a function returning a map it got from elsewhere: not a write', () => {
    const src = swapIn(PARSED, '\treturn table\n', '\t_ = table\n\treturn defaultTable\n') + '\nvar defaultTable = map[string]string{"/": "root"}\n';
    expect(writesAt(src)).not.toContain(45);
  });

  it('a getter of another router\'s table: not a write', () => {
    const src = swapIn(PARSED, '\tr.routes = parse(config)\n', '\tr.routes = other.table()\n') + '\nvar other = NewRouter("other")\n\nfunc (o *Router) table() map[string]string { return o.routes }\n';
    expect(writesAt(src)).not.toContain(45);
  });

  it('atomic-swap stores the result through a local', () => {
    expect(rewritten(PARSED)).toContain('\troutesNext := parse(config)\n\tr.routes.Store(&routesNext)\n');
  });
});

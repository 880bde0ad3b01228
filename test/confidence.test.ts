// A finding's confidence (docs/confidence.md): `high` when the scan saw a goroutine, handler or
// callback of the package and one value both racing accesses reach; `low` when the race needs the
// package's callers to be concurrent, or when the map belongs to a struct type without a lock and
// the accesses go through different variables. `--confidence high` (or gomapfix.json's
// `confidence`) keeps only the high ones in scan, fix and the machine formats.
import pc from 'picocolors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFixes } from '../src/fix.js';
import { fixChanges } from '../src/cli/formats/fix-hunks.js';
import { reviewItems } from '../src/pr/review.js';
import { fullEvidence, shortEvidence } from '../src/cli/review/render.js';
import { assertBuilt, cleanupTemp, runCli, tempTree } from './helpers/cli.js';
import { fixtureInput, lineOf, scanFiles, swapIn } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const GO_MOD = 'module example.com/fixture\n\ngo 1.19\n';

/** The confidence (and its reason) of each finding of scanning `src` as input.go, by `rule@line`. */
function confidences(src: string): Map<string, { confidence: string; reason?: string }> {
  return new Map(scanFiles({ 'input.go': src }).map((f) => [`${f.rule}@${f.line}`, { confidence: f.confidence, ...(f.confidenceReason ? { reason: f.confidenceReason } : {}) }]));
}

// Per-call values of a lock-less type: Apply gets its Config from each caller, Watch ranges over
// the Config it was given in a goroutine. Nothing shows one Config reaching both.
const DTO = `package fixture

type Config struct {
	Labels map[string]string
}

func Apply(c *Config, k, v string) {
	c.Labels[k] = v
}

func Watch(c *Config, out chan<- int) {
	go func() {
		n := 0
		for k := range c.Labels {
			n += len(k)
		}
		out <- n
	}()
}
`;

// The same type, with one Config handed to the goroutine and then written by its spawner.
const SHARED = `package fixture

type Config struct {
	Labels map[string]string
}

func Apply(c *Config, k, v string) {
	c.Labels[k] = v
}

func Run(out chan<- int) {
	c := &Config{Labels: map[string]string{}}
	go count(c, out)
	Apply(c, "a", "b")
}

func count(c *Config, out chan<- int) {
	n := 0
	for k := range c.Labels {
		n += len(k)
	}
	out <- n
}
`;

describe('instances: a map of a struct type with no lock', () => {
  it('written through one parameter and ranged over through another in a goroutine: low, naming both variables', () => {
    const got = confidences(DTO).get(`concurrent-map-write@${lineOf(DTO, 'c.Labels[k] = v')}`);
    expect(got?.confidence).toBe('low');
    expect(got?.reason).toMatch(/^Config has no lock of its own and no racing pair reaches Config\.Labels through one Config value/);
  });

  it('one value handed to the goroutine by `go count(c, out)` and written by its spawner through a call: high', () => {
    const got = confidences(SHARED).get(`concurrent-map-write@${lineOf(SHARED, 'c.Labels[k] = v')}`);
    expect(got).toEqual({ confidence: 'high' });
  });

  // One value, reached from anywhere: never "different values". Written only by callers and read
  // by the goroutine, it is a value configured before it runs (low, for that reason, since session
  // 13); written after the goroutine starts, high.
  const GLOBAL = swapIn(
    swapIn(DTO, 'func Watch(c *Config, out chan<- int) {\n\tgo func() {', 'var global = &Config{Labels: map[string]string{}}\n\nfunc Watch(out chan<- int) {\n\tgo func() {'),
    'for k := range c.Labels',
    'for k := range global.Labels',
  ).replace('func Apply(c *Config, k, v string) {\n\tc.Labels[k] = v', 'func Apply(k, v string) {\n\tglobal.Labels[k] = v');

  it('a package variable of the type, written by callers and read by a goroutine: one value, low only as configured before it runs', () => {
    const found = [...confidences(GLOBAL).values()];
    expect(found.length).toBeGreaterThan(0);
    for (const c of found) {
      expect(c.confidence).toBe('low');
      expect(c.reason).toMatch(/^Config\.Labels is written only by the package's callers, with no lock at any racing write/);
    }
  });

  it('a package variable of the type, written after the goroutine that reads it started: high', () => {
    const src = GLOBAL.replace('\t}()\n}', '\t}()\n\tApply("late", "x")\n}');
    expect(src).not.toBe(GLOBAL);
    const found = [...confidences(src).values()];
    expect(found.length).toBeGreaterThan(0);
    for (const c of found) expect(c).toEqual({ confidence: 'high' });
  });

  it('the constructor writes after starting the janitor on its own value (a positive fixture): high', () => {
    const src = fixtureInput('concurrent-map-write/constructor-writes-after-start');
    const got = confidences(src);
    expect(got.size).toBeGreaterThan(0);
    for (const [, c] of got) expect(c).toEqual({ confidence: 'high' });
  });

  it('goroutines in a loop, each calling a method on its own element: low; on one value captured from outside the loop: high', () => {
    const base = `package fixture

import "sync"

type Entry struct {
	meta map[string]string
}

func (e *Entry) mark() {
	e.meta["seen"] = "yes"
}

func MarkAll(entries []*Entry) {
	var wg sync.WaitGroup
	for _, e := range entries {
		e := e
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.mark()
		}()
	}
	wg.Wait()
}
`;
    const at = `concurrent-map-write@${lineOf(base, 'e.meta["seen"]')}`;
    expect(confidences(base).get(at)?.confidence).toBe('low');
    const one = swapIn(swapIn(swapIn(base, 'func MarkAll(entries []*Entry) {', 'func MarkAll(entries []*Entry, e *Entry) {'), '\t\te := e\n', ''), 'for _, e := range entries {', 'for range entries {');
    expect(confidences(one).get(at)).toEqual({ confidence: 'high' });
  });
});

describe('instances: a named map type', () => {
  const base = `package fixture

import "net/http"

type header map[string][]string

func (h header) set(k, v string) {
	h[k] = []string{v}
}

type Handler struct{}

func (Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	header(r.Header).set("X-Seen", "1")
}
`;

  it('each request converts its own header and writes it: low (each run gets its own value)', () => {
    expect(confidences(base).get(`concurrent-map-write@${lineOf(base, 'h[k] = ')}`)?.confidence).toBe('low');
  });

  it('one package-level value written by every request: high', () => {
    const shared = swapIn(base, 'header(r.Header).set("X-Seen", "1")', 'seen.set("X-Seen", "1")') + '\nvar seen = header{}\n';
    expect(confidences(shared).get(`concurrent-map-write@${lineOf(shared, 'h[k] = ')}`)).toEqual({ confidence: 'high' });
  });
});

describe('set-up: every racing write puts an empty map in place', () => {
  const base = `package fixture

import "sync"

type Registry struct {
	mu    sync.Mutex
	names map[string]int
}

func (r *Registry) Start(out chan<- int) {
	go func() {
		r.mu.Lock()
		n := len(r.names)
		r.mu.Unlock()
		out <- n
	}()
}

func (r *Registry) Reset() {
	r.names = make(map[string]int)
}
`;

  it('Reset replaces the map with an empty one, racing with Start\'s goroutine: low, naming the field', () => {
    const got = confidences(base).get(`concurrent-map-write@${lineOf(base, 'r.names = make(')}`);
    expect(got?.confidence).toBe('low');
    expect(got?.reason).toMatch(/^every racing write gives r\.names an empty map \(or nil\), which is how a value is set up or reset/);
    const nil = swapIn(base, 'r.names = make(map[string]int)', 'r.names = nil');
    expect(confidences(nil).get(`concurrent-map-write@${lineOf(nil, 'r.names = nil')}`)?.confidence).toBe('low');
  });

  it('Reset installs a filled map, or writes into the live one: high', () => {
    const filled = swapIn(base, 'r.names = make(map[string]int)', 'r.names = map[string]int{"root": 0}');
    expect(confidences(filled).get(`concurrent-map-write@${lineOf(filled, 'r.names = map')}`)).toEqual({ confidence: 'high' });
    const into = swapIn(base, 'r.names = make(map[string]int)', 'r.names["root"] = 0');
    expect(confidences(into).get(`concurrent-map-write@${lineOf(into, 'r.names["root"]')}`)).toEqual({ confidence: 'high' });
  });
});

describe('tests: the only concurrency is goroutines or handlers a test starts', () => {
  // A test's mock server counts the calls it gets in a map of its own, from its handler.
  const mock = `package fixture

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

type sdMock struct {
	calls map[string]int
}

func (m *sdMock) server() *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		m.calls[r.RequestURI]++
	})
	return httptest.NewServer(mux)
}

func TestRefresh(t *testing.T) {
	m := &sdMock{calls: map[string]int{}}
	srv := m.server()
	defer srv.Close()
	for i := 0; i < 3; i++ {
		resp, err := http.Get(srv.URL + "/containers")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
}
`;

  it('a handler of a test\'s mock server writes the mock\'s map: low, saying the test must let requests overlap', () => {
    const got = scanFiles({ 'mock_test.go': mock, 'pkg.go': 'package fixture\n' }).map((f) => ({ id: `${f.rule}@${f.line}`, confidence: f.confidence, reason: f.confidenceReason }));
    expect(got).toEqual([
      {
        id: `concurrent-map-write@${lineOf(mock, 'm.calls[r.RequestURI]++')}`,
        confidence: 'low',
        reason: expect.stringMatching(/^the only concurrency is goroutines or handlers a test starts: the race needs the test to let them overlap/),
      },
    ]);
  });

  it('the same handler in the package itself (not a test file): high', () => {
    // Exported: with the test gone, an unexported server() would be a method nothing calls.
    const pkg = swapIn(swapIn(swapIn(mock, '\t"testing"\n', ''), mock.slice(mock.indexOf('func TestRefresh')), ''), 'func (m *sdMock) server()', 'func (m *sdMock) Server()');
    const got = scanFiles({ 'mock.go': pkg }).map((f) => ({ id: `${f.rule}@${f.line}`, confidence: f.confidence }));
    expect(got).toEqual([{ id: `concurrent-map-write@${lineOf(pkg, 'm.calls[r.RequestURI]++')}`, confidence: 'high' }]);
  });
});

describe('callers: no goroutine of the package among the racing accesses', () => {
  const forgets = fixtureInput('unguarded-map-access/embedded-mutex-method-forgets-lock');

  it('a type with a mutex whose one method forgets it, and no goroutine in the package: low, saying the callers are assumed concurrent', () => {
    const found = [...confidences(forgets).values()];
    expect(found.length).toBeGreaterThan(0);
    for (const c of found) {
      expect(c.confidence).toBe('low');
      expect(c.reason).toMatch(/no goroutine, handler or callback of the package reaches Cart\.items: the race needs the package's callers to use it from several goroutines at once, which its lock suggests/);
    }
  });

  it('the type documented as safe for concurrent use: high (the documentation says what the lock suggests); "not safe for concurrent use": low', () => {
    const doc = '// Cart is shared by the checkout goroutines of one shopper.\n';
    for (const [comment, level] of [
      ['// Cart is safe for concurrent use by multiple goroutines.\n', 'high'],
      ['// Cart is a thread-safe shopping cart.\n', 'high'],
      ['// Cart can be used concurrently.\n', 'high'],
      ['// Cart is not safe for concurrent use.\n', 'low'],
      ['// Cart is a shopping cart (it is never thread-safe).\n', 'low'],
    ] as const) {
      const found = [...confidences(swapIn(forgets, doc, comment)).values()];
      expect(found.length, comment).toBeGreaterThan(0);
      for (const c of found) expect(c.confidence, comment).toBe(level);
    }
  });

  it('the same type with a goroutine of its own reading the map: high', () => {
    const src = `${forgets}
func (c *Cart) Watch(out chan<- int) {
	go func() {
		out <- c.Total()
	}()
}
`;
    const found = [...confidences(src).values()];
    expect(found.map((c) => c.confidence)).toContain('high');
  });
});

describe('--confidence high, and gomapfix.json', () => {
  const files = { 'go.mod': GO_MOD, 'dto.go': DTO, 'shared.go': SHARED.replace('type Config struct {\n\tLabels map[string]string\n}\n\nfunc Apply(c *Config, k, v string) {\n\tc.Labels[k] = v\n}\n', '') };

  it('scan: the text report marks the low finding; --confidence high leaves it out; the exit code follows what is kept', () => {
    const dir = tempTree(files);
    const all = runCli(['scan', '--format', 'json'], { cwd: dir });
    const kinds = (JSON.parse(all.stdout) as { findings: { confidence: string }[] }).findings.map((f) => f.confidence).sort();
    expect(kinds).toContain('high');
    const dto = tempTree({ 'go.mod': GO_MOD, 'dto.go': DTO });
    const text = runCli(['scan'], { cwd: dto });
    expect(text.status).toBe(1);
    expect(text.stdout).toMatch(/confidence\s+low: Config has no lock of its own/);
    expect(text.stdout).toMatch(/1 finding \(1 of low confidence\) in 1 file/);
    const high = runCli(['scan', '--confidence', 'high'], { cwd: dto });
    expect(high.stdout).toMatch(/no unsafe map use found/);
    expect(high.status).toBe(0);
  });

  it('gomapfix.json "confidence": "high" does the same, and --confidence all overrides it', () => {
    const dto = tempTree({ 'go.mod': GO_MOD, 'dto.go': DTO, 'gomapfix.json': '{ "confidence": "high" }\n' });
    expect(runCli(['scan', '--format', 'json'], { cwd: dto }).stdout).toMatch(/"findings": \[\]/);
    const all = runCli(['scan', '--format', 'json', '--confidence', 'all'], { cwd: dto });
    expect((JSON.parse(all.stdout) as { findings: { confidence: string }[] }).findings.map((f) => f.confidence)).toEqual(['low']);
  });

  it('a wrong value is a one-line usage error (flag) or names the key (gomapfix.json), exit 2', () => {
    const bad = runCli(['scan', '--confidence', 'medium'], { cwd: tempTree({ 'go.mod': GO_MOD, 'dto.go': DTO }) });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--confidence <level>.*medium/);
    const badConfig = runCli(['scan'], { cwd: tempTree({ 'go.mod': GO_MOD, 'dto.go': DTO, 'gomapfix.json': '{ "confidence": "medium" }\n' }) });
    expect(badConfig.status).toBe(2);
    expect(badConfig.stderr.trim().split('\n')).toHaveLength(1);
    expect(badConfig.stderr).toMatch(/gomapfix\.json: .*confidence/);
  });

  it('fix --confidence high plans no rewrite for the low finding and exits 0; without it the rewrite is planned', () => {
    const dto = tempTree({ 'go.mod': GO_MOD, 'dto.go': DTO });
    const high = runCli(['fix', '--include-review', '--confidence', 'high'], { cwd: dto });
    expect(high.status).toBe(0);
    expect(high.stdout).not.toMatch(/^\+\+\+ /m);
    const all = runCli(['fix', '--include-review'], { cwd: dto });
    expect(all.status).toBe(1);
    expect(all.stdout).toMatch(/^\+\+\+ /m);
    // The fix's header says what the race assumes, for whoever reviews the diff.
    expect(all.stdout).toMatch(/^# {3}low confidence: Config has no lock of its own/m);
  });

  it('SARIF: a low finding is a note with its confidence and reason in the properties; rdjson: INFO; github: ::notice', () => {
    const dto = tempTree({ 'go.mod': GO_MOD, 'dto.go': DTO });
    const sarif = JSON.parse(runCli(['scan', '--format', 'sarif'], { cwd: dto }).stdout) as { runs: { results: { level: string; properties: { confidence: string; confidenceReason?: string } }[] }[] };
    const r = sarif.runs[0]!.results[0]!;
    expect(r.level).toBe('note');
    expect(r.properties.confidence).toBe('low');
    expect(r.properties.confidenceReason).toMatch(/^Config has no lock/);
    const rd = JSON.parse(runCli(['scan', '--format', 'rdjson'], { cwd: dto }).stdout) as { diagnostics: { severity: string }[] };
    expect(rd.diagnostics.map((d) => d.severity)).toEqual(['INFO']);
    expect(runCli(['scan', '--format', 'github'], { cwd: dto }).stdout).toMatch(/^::notice file=dto\.go,line=8,/m);
  });
});

describe('the reason where a person reads the finding', () => {
  it('a pull-request comment says it in italics under the message; review mode under the finding and in its full evidence', () => {
    const dir = tempTree({ 'go.mod': GO_MOD, 'dto.go': DTO });
    const plan = planFixes([dir], { cwd: dir, includeReview: true });
    const low = plan.findings.filter((f) => f.confidence === 'low');
    expect(low).toHaveLength(1);
    const [item] = reviewItems({ findings: low, plan, changes: fixChanges(plan), changed: [] });
    expect(item!.body).toMatch(/\n\n_Low confidence: Config has no lock of its own and no racing pair reaches Config\.Labels through one Config value: .*\._\n\n/);
    const colors = pc.createColors(false);
    expect(shortEvidence(low, colors)).toMatch(/\n {4}low confidence: Config has no lock of its own/);
    expect(fullEvidence(low, () => DTO, colors)).toMatch(/\n {2}confidence {2}low: Config has no lock of its own/);
  });
});

// Each connection's goroutine builds its own Session and hands it down as a parameter (seaweedfs'
// PostgreSQL server): the only races are runs of that goroutine with each other, through values
// each run builds. Low, with the reason; a Session shared by the runs stays high.
const SESSIONS = `package fixture

import (
	"net"
	"sync"
)

type Session struct {
	mu    sync.Mutex
	conn  net.Conn
	stmts map[string]string
}

type Server struct {
	mu       sync.Mutex
	sessions map[int]*Session
}

func (s *Server) Serve(l net.Listener) {
	id := 0
	for {
		conn, err := l.Accept()
		if err != nil {
			return
		}
		id++
		go s.handle(conn, id)
	}
}

func (s *Server) handle(conn net.Conn, id int) {
	session := &Session{conn: conn, stmts: map[string]string{}}
	s.mu.Lock()
	s.sessions[id] = session
	s.mu.Unlock()
	for i := 0; i < 3; i++ {
		s.message(session, "q")
	}
}

func (s *Server) message(session *Session, q string) {
	s.parse(session, q)
}

func (s *Server) parse(session *Session, q string) {
	session.stmts[q] = q
	delete(session.stmts, "old")
}
`;

describe('values each run of a goroutine builds for itself', () => {
  const WRITE = '\tsession.stmts[q] = q';

  it('a session built in the connection goroutine, handed down through two calls: low, naming the variable', () => {
    const c = confidences(SESSIONS).get(`concurrent-map-write@${lineOf(SESSIONS, WRITE)}`);
    expect(c?.confidence).toBe('low');
    expect(c?.reason).toMatch(/^each run of go s\.handle\(\) \(in a loop: several run at once\) builds its own Session \(session in handle\) and reaches Session\.stmts through it: the race needs one run to hand its Session to another/);
  });

  it('one session shared by every run (built before the loop, handed to each goroutine): high', () => {
    let src = swapIn(SESSIONS, '\tid := 0\n', '\tid := 0\n\tshared := &Session{stmts: map[string]string{}}\n');
    src = swapIn(src, '\t\tgo s.handle(conn, id)\n', '\t\tgo s.handle(conn, id, shared)\n');
    src = swapIn(src, 'func (s *Server) handle(conn net.Conn, id int) {\n\tsession := &Session{conn: conn, stmts: map[string]string{}}\n', 'func (s *Server) handle(conn net.Conn, id int, session *Session) {\n');
    expect(confidences(src).get(`concurrent-map-write@${lineOf(src, WRITE)}`)?.confidence).toBe('high');
  });

  it('the session looked up in the shared registry by each run: high', () => {
    const src = swapIn(SESSIONS, '\tsession := &Session{conn: conn, stmts: map[string]string{}}\n\ts.mu.Lock()\n\ts.sessions[id] = session\n\ts.mu.Unlock()\n', '\ts.mu.Lock()\n\tsession := s.sessions[id%2]\n\ts.mu.Unlock()\n');
    expect(confidences(src).get(`concurrent-map-write@${lineOf(src, WRITE)}`)?.confidence).toBe('high');
  });

  it('an exported method also hands any session to parse: its callers may pass a shared one, high', () => {
    const src = swapIn(SESSIONS, 'func (s *Server) message(session *Session, q string) {\n\ts.parse(session, q)\n}', 'func (s *Server) message(session *Session, q string) {\n\ts.parse(session, q)\n}\n\nfunc (s *Server) Replay(session *Session) {\n\ts.parse(session, "r")\n}');
    expect(confidences(src).get(`concurrent-map-write@${lineOf(src, WRITE)}`)?.confidence).toBe('high');
  });
});

// A lock-less dispatcher filled by its callers before Run starts the loop that reads it (frp's
// msg.Dispatcher): the race needs a caller to register after Run, an order the scan does not see.
const DISPATCHER = `package fixture

type Dispatcher struct {
	handlers map[string]func(string)
	in       chan string
}

func NewDispatcher(in chan string) *Dispatcher {
	return &Dispatcher{handlers: map[string]func(string){}, in: in}
}

func (d *Dispatcher) Register(kind string, h func(string)) {
	d.handlers[kind] = h
}

func (d *Dispatcher) Run() {
	go d.loop()
}

func (d *Dispatcher) loop() {
	for m := range d.in {
		if h, ok := d.handlers[m]; ok {
			h(m)
		}
	}
}
`;

describe('a value its callers configure before it runs', () => {
  const WRITE = '\td.handlers[kind] = h';

  it('written only by the callers, only read by the goroutine Run starts, no lock: low, saying so', () => {
    const c = confidences(DISPATCHER).get(`concurrent-map-write@${lineOf(DISPATCHER, WRITE)}`);
    expect(c?.confidence).toBe('low');
    expect(c?.reason).toMatch(/^Dispatcher\.handlers is written only by the package's callers, with no lock at any racing write, and only read by the package's goroutines or handlers: the shape of a value configured before it runs/);
  });

  it('the loop also deletes a handler: a goroutine writes, high', () => {
    const src = swapIn(DISPATCHER, '\t\t\th(m)\n', '\t\t\th(m)\n\t\t\tdelete(d.handlers, m)\n');
    expect(confidences(src).get(`concurrent-map-write@${lineOf(src, WRITE)}`)?.confidence).toBe('high');
  });

  it('Run registers a handler after starting the loop: the order is known, high', () => {
    const src = swapIn(DISPATCHER, '\tgo d.loop()\n}', '\tgo d.loop()\n\td.Register("ping", func(string) {})\n}');
    expect(confidences(src).get(`concurrent-map-write@${lineOf(src, WRITE)}`)?.confidence).toBe('high');
  });
});

describe("the goroutine's own work: the package's one goroutine runs the function its callers may call", () => {
  const WALKER = fixtureInput('unguarded-map-access/refresh-goroutine-reads-its-own-writes');
  const READ = 'if old, ok := z.Z[name]; ok && old == serial {';

  it('Walk reads unlocked, only Walk writes, from the one ticker goroutine (the fixture): low, naming the functions and the goroutine', () => {
    const c = confidences(WALKER).get(`unguarded-map-access@${lineOf(WALKER, READ)}`);
    expect(c?.confidence).toBe('low');
    expect(c?.reason).toMatch(/^the only goroutine of the package that reaches Zones\.Z \(go func literal\) runs (Add|Remove|Walk)( and (Add|Remove|Walk))* itself: the race needs the package's callers to call (it|them) while that goroutine runs/);
  });

  it('a second goroutine of the package also walks: two goroutines race, high', () => {
    const src = swapIn(WALKER, '\treturn z\n}', '\tgo z.Walk(listing())\n\treturn z\n}');
    expect(confidences(src).get(`unguarded-map-access@${lineOf(src, READ)}`)?.confidence).toBe('high');
  });

  it('the ticker is started in a loop (several run at once): high', () => {
    const src = swapIn(WALKER, '\tz.Walk(listing())\n\tgo func() {', '\tz.Walk(listing())\n\tfor i := 0; i < 2; i++ {\n\tgo func() {').replace('\t}()\n\treturn z', '\t}()\n\t}\n\treturn z');
    expect(confidences(src).get(`unguarded-map-access@${lineOf(src, READ)}`)?.confidence).toBe('high');
  });

  it('a function the goroutine never runs reads unlocked: the callers race with the goroutine, high', () => {
    const src = swapIn(WALKER, '// Lookup is what request handlers call.', 'func (z *Zones) Count() int { return len(z.Z) }\n\n// Lookup is what request handlers call.');
    expect(confidences(src).get(`unguarded-map-access@${lineOf(src, 'func (z *Zones) Count()')}`)?.confidence).toBe('high');
  });
});

describe('a lock the caller takes on some paths only', () => {
  const SOCKETS = fixtureInput('unguarded-map-access/lock-taken-for-unix-sockets-only');
  const READ = '\ts, ok := sockets[addr]\n\tif !ok {';
  const WRITE = '\tsockets[addr] = s';

  it('Listen takes socketsMu for unix networks and everything below it is only reached from there (the fixture): low, naming Listen and the lock', () => {
    for (const at of [READ, WRITE]) {
      const c = confidences(SOCKETS).get(`unguarded-map-access@${lineOf(SOCKETS, at.split('\n')[0]!)}`);
      expect(c?.confidence).toBe('low');
      expect(c?.reason).toMatch(/^Listen takes socketsMu on some paths before it calls what reaches here/);
    }
  });

  it('another exported function calls the helper without the lock: high', () => {
    const src = swapIn(SOCKETS, '// Close releases one use of a unix socket.', 'func Remember(addr string) *socket { return remember(addr) }\n\n// Close releases one use of a unix socket.');
    expect(confidences(src).get(`unguarded-map-access@${lineOf(src, WRITE)}`)?.confidence).toBe('high');
  });

  it('the helper is exported (callable without the lock): high', () => {
    const src = SOCKETS.replaceAll('remember(addr', 'Remember(addr');
    expect(confidences(src).get(`unguarded-map-access@${lineOf(src, WRITE)}`)?.confidence).toBe('high');
  });

  it('a goroutine runs the helper itself: high', () => {
    const src = swapIn(SOCKETS, '\twg.Wait()\n\treturn out', '\tgo remember("x")\n\twg.Wait()\n\treturn out');
    expect(confidences(src).get(`unguarded-map-access@${lineOf(src, WRITE)}`)?.confidence).toBe('high');
  });
});

describe('a future: a method returns a channel its goroutine closes when done', () => {
  const FUTURE = fixtureInput('concurrent-map-write/future-results-closed-when-done');
  // The goroutine sends the count, not r.String(): it no longer runs String itself (which the
  // rule for a goroutine's own work would take), so each variant turns on the future alone.
  const SENDS_COUNT = swapIn(FUTURE, '\t\tdonec <- r.String()\n', '\t\tdonec <- fmt.Sprint(r.total)\n');
  const WRITE = '\t\t\t\tr.errs[res.Err.Error()]++';
  const write = (src: string) => confidences(src).get(`concurrent-map-write@${lineOf(src, WRITE)}`);

  it('Run hands back donec, closed by its goroutine (the fixture, and with the count sent): low, naming Run', () => {
    for (const src of [FUTURE, SENDS_COUNT]) {
      const c = write(src);
      expect(c?.confidence).toBe('low');
      expect(c?.reason).toMatch(/^Run returns a channel its goroutine closes when done: the race on Report\.errs needs a caller to use the value, or start another such goroutine on it, before it has received from that channel/);
    }
  });

  it('the goroutine does not close the channel it returns: high', () => {
    const src = swapIn(SENDS_COUNT, '\t\tdefer close(donec)\n', '');
    expect(write(src)?.confidence).toBe('high');
  });

  it('Run returns another channel than the one its goroutine closes: high', () => {
    const src = swapIn(SENDS_COUNT, '\treturn donec\n}', '\tother := make(chan string)\n\treturn other\n}');
    expect(write(src)?.confidence).toBe('high');
  });

  it('another method starts a goroutine that writes the map too (no future): high', () => {
    const src = swapIn(FUTURE, '// String summarises', 'func (r *Report) Watch() {\n\tgo func() { r.errs["watch"]++ }()\n}\n\n// String summarises');
    expect(write(src)?.confidence).toBe('high');
  });
});

describe('a lock the struct exports to its callers', () => {
  const GROUP = fixtureInput('unguarded-map-access/exported-lock-held-by-callers');
  const READ = '\tnames := make([]string, 0, len(g.Members))';
  const read = (src: string) => confidences(src).get(`unguarded-map-access@${lineOf(src, READ)}`);

  it('Mu is an exported field and AssignPartitions is exported (the fixture): low, naming the lock and the function', () => {
    const c = read(GROUP);
    expect(c?.confidence).toBe('low');
    expect(c?.reason).toMatch(/^ConsumerGroup exports its lock Mu, and every racing access without it is in an exported function \(AssignPartitions\): callers in other packages may hold Mu/);
  });

  it('the lock is an unexported field (the type keeps locking to itself): high', () => {
    const src = GROUP.replaceAll('.Mu.', '.mu.').replace('\tMu      sync.RWMutex', '\tmu      sync.RWMutex');
    expect(read(src)?.confidence).toBe('high');
  });

  it('the function is unexported and the package calls it from its own goroutine: high', () => {
    let src = GROUP.replaceAll('AssignPartitions(', 'assignPartitions(');
    src = swapIn(src, '\t\t\tc.group.Mu.Unlock()\n', '\t\t\tc.group.Mu.Unlock()\n\t\t\tc.group.assignPartitions(4)\n');
    expect(read(src)?.confidence).toBe('high');
  });
});

describe('a package map its callers configure before the goroutine that reads it starts', () => {
  const HEAL = fixtureInput('concurrent-map-write/package-map-filled-before-heal-starts');
  const WRITE = '\t\tnodeNamesHex[hex.EncodeToString(sum[:])] = struct{}{}';
  const write = (src: string) => confidences(src).get(`concurrent-map-write@${lineOf(src, WRITE)}`);

  it('written only by ServerMain, read only by the heal routine, no lock (the fixture): low, as configured before it runs', () => {
    const c = write(HEAL);
    expect(c?.confidence).toBe('low');
    expect(c?.reason).toMatch(/^nodeNamesHex is written only by the package's callers, with no lock at any racing write, and only read by the package's goroutines or handlers/);
  });

  it('the heal routine also deletes from the map: a goroutine writes, high', () => {
    const src = swapIn(HEAL, '\t\t\thealed <- owner\n', '\t\t\thealed <- owner\n\t\t\tdelete(nodeNamesHex, owner)\n');
    expect(write(src)?.confidence).toBe('high');
  });

  it('the heal routine reads under a package lock (the lock the writer forgot): high', () => {
    let src = swapIn(HEAL, '// nodeNamesHex holds', 'var namesMu sync.Mutex\n\n// nodeNamesHex holds');
    src = swapIn(src, '\t\tif _, ok := nodeNamesHex[owner]; ok {', '\t\tnamesMu.Lock()\n\t\t_, ok := nodeNamesHex[owner]\n\t\tnamesMu.Unlock()\n\t\tif ok {');
    expect(write(src)?.confidence).toBe('high');
  });

  it('ServerMain starts the healer first and fills the map after: high', () => {
    const src = swapIn(HEAL, '\th := &Healer{}\n\th.Init(objects, healed)\n\treturn h\n}', '\treturn h\n}').replace('func ServerMain(nodes []string, objects <-chan string, healed chan<- string) *Healer {\n', 'func ServerMain(nodes []string, objects <-chan string, healed chan<- string) *Healer {\n\th := &Healer{}\n\th.Init(objects, healed)\n');
    expect(write(src)?.confidence).toBe('high');
  });
});

describe("a struct's map reached through a package variable, configured before the loop that reads it", () => {
  const FLAGS = fixtureInput('concurrent-map-write/flag-snapshot-set-before-reload-loop');
  const WRITE = '\t\t\tFlagSnapshot.inCmdLine["Debug"] = true';
  const write = (src: string) => confidences(src).get(`concurrent-map-write@${lineOf(src, WRITE)}`);

  it('written only by ConfigureOptions, read by the reload loop under the server\'s reloadMu (the fixture): low, as configured before it runs', () => {
    const c = write(FLAGS);
    expect(c?.confidence).toBe('low');
    expect(c?.reason).toMatch(/^Options\.inCmdLine is written only by the package's callers, with no lock at any racing write, and only read by the package's goroutines or handlers/);
  });

  it('the reload reads under a lock of Options itself (the lock the writer forgot): high', () => {
    let src = swapIn(FLAGS, '\tDebug bool\n', '\tmu    sync.Mutex\n\tDebug bool\n');
    src = swapIn(src, '\tfor name, set := range FlagSnapshot.inCmdLine {', '\tFlagSnapshot.mu.Lock()\n\tdefer FlagSnapshot.mu.Unlock()\n\tfor name, set := range FlagSnapshot.inCmdLine {');
    expect(write(src)?.confidence).toBe('high');
  });

  it('the reload loop also records a flag: a goroutine writes, high', () => {
    const src = swapIn(FLAGS, '\t\t\ts.opts.Debug = FlagSnapshot.Debug\n', '\t\t\ts.opts.Debug = FlagSnapshot.Debug\n\t\t\tFlagSnapshot.inCmdLine["Reloaded"] = true\n');
    expect(write(src)?.confidence).toBe('high');
  });
});

describe('each run of a goroutine started in a loop gets its own element', () => {
  const CLIENTS = fixtureInput('concurrent-map-write/run-per-client-started-in-loop');
  const WRITE = '\tc.services[name]++';
  const write = (src: string) => confidences(src).get(`concurrent-map-write@${lineOf(src, WRITE)}`);

  it('go client.Run(…) on each pointer of the collection (the fixture): low, naming the variable and the loop', () => {
    const c = write(CLIENTS);
    expect(c?.confidence).toBe('low');
    expect(c?.reason).toMatch(/^each run of go client\.Run\(\) \(in a loop: several run at once\) is started on its own client \(a variable of each iteration of the loop in Run\) and reaches ServiceClient\.services only through it/);
  });

  it('a collection of values (before Go 1.22 one variable for the whole loop, `go client.Run` hands &client): high', () => {
    const src = CLIENTS.replace('\tclients map[string]*ServiceClient', '\tclients map[string]ServiceClient');
    expect(src).not.toBe(CLIENTS);
    expect(write(src)?.confidence).toBe('high');
  });

  it('one client started on every iteration (a variable from outside the loop): high', () => {
    const src = swapIn(CLIENTS, '\tfor _, client := range w.clients {\n\t\tw.wg.Add(1)\n\t\tgo client.Run(w.wg.Done)\n\t}', '\tclient := w.clients["main"]\n\tfor range w.clients {\n\t\tw.wg.Add(1)\n\t\tgo client.Run(w.wg.Done)\n\t}');
    expect(write(src)?.confidence).toBe('high');
  });

  it("a caller also writes a client's map: another context races, high", () => {
    const src = swapIn(CLIENTS, '// Synced is how many', 'func (c *ServiceClient) Forget(name string) { delete(c.services, name) }\n\n// Synced is how many');
    expect(write(src)?.confidence).toBe('high');
  });
});

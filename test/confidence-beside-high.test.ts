// `fix --confidence high` also fixes a low-confidence finding on the line of a high one: one
// statement reading two maps gets both locks, not one (nsq's Channel.flush, where a reviewer
// rejected the fix that locked in-flight messages and left the deferred ones racing on the same
// line). A low finding elsewhere stays out, and `scan --confidence high` reports only high ones.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp, runCli, tempTree } from './helpers/cli.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const GO_MOD = 'module example.com/q\n\ngo 1.19\n';
// inFlight is written by a goroutine the package starts (high); deferred only by its callers (low).
const SRC = `package q

import (
	"fmt"
	"io"
	"sync"
)

type Queue struct {
	inFlightMu sync.Mutex
	inFlight   map[int]string
	deferMu    sync.Mutex
	deferred   map[int]string
	log        io.Writer
}

func (q *Queue) Pump(msgs <-chan string) {
	go func() {
		i := 0
		for m := range msgs {
			q.inFlightMu.Lock()
			q.inFlight[i] = m
			q.inFlightMu.Unlock()
			i++
		}
	}()
}

func (q *Queue) Defer(id int, m string) {
	q.deferMu.Lock()
	q.deferred[id] = m
	q.deferMu.Unlock()
}

func (q *Queue) Flush() {
	fmt.Fprintf(q.log, "%d in flight, %d deferred\\n", len(q.inFlight), len(q.deferred))
}
`;
const ELSEWHERE = `
func (q *Queue) Deferred() int {
	return len(q.deferred)
}
`;

function fixJson(src: string) {
  const dir = tempTree({ 'go.mod': GO_MOD, 'q.go': src });
  const run = runCli(['fix', '.', '--confidence', 'high', '--include-review', '--format', 'json'], { cwd: dir });
  return JSON.parse(run.stdout) as { findings: { id: string; line: number; confidence: string; map: { name: string } }[]; fixes: { covers: string[]; edits: { text: string }[] }[] };
}

describe('fix --confidence high and a low finding beside a high one', () => {
  it('the low finding on the same line is fixed with the high one', () => {
    const plan = fixJson(SRC);
    const flush = plan.findings.filter((f) => f.line === 36);
    expect(flush.map((f) => `${f.map.name}:${f.confidence}`).sort()).toEqual(['Queue.deferred:low', 'Queue.inFlight:high']);
    const covered = new Set(plan.fixes.flatMap((f) => f.covers));
    for (const f of flush) expect(covered.has(f.id), f.map.name).toBe(true);
  });

  it('a low finding on another line stays out', () => {
    const dir = tempTree({ 'go.mod': GO_MOD, 'q.go': SRC + ELSEWHERE });
    const all = JSON.parse(runCli(['scan', '.', '--format', 'json'], { cwd: dir }).stdout) as { findings: { confidence: string; line: number }[] };
    // Deferred's unlocked read is a low finding of its own (line 40)…
    expect(all.findings.filter((f) => f.confidence === 'low').map((f) => f.line).sort()).toEqual([36, 40]);
    // …which the high-confidence fix leaves out.
    const plan = fixJson(SRC + ELSEWHERE);
    expect(plan.findings.filter((f) => f.confidence === 'low').map((f) => f.line)).toEqual([36]);
  });

  it('scan --confidence high reports the high finding only', () => {
    const dir = tempTree({ 'go.mod': GO_MOD, 'q.go': SRC });
    const run = runCli(['scan', '.', '--confidence', 'high', '--format', 'json'], { cwd: dir });
    const report = JSON.parse(run.stdout) as { findings: { confidence: string; map: { name: string } }[] };
    expect(report.findings.map((f) => `${f.map.name}:${f.confidence}`)).toEqual(['Queue.inFlight:high']);
  });
});

// cgo: the comment right above `import "C"` is C code (the preamble). An import added by a fix
// goes into another declaration, or a new one; never into the `import "C"` one, which would
// detach the preamble and break the build. Real tree-sitter parses, the real fix pipeline and a
// real cgo build (gcc, CGO_ENABLED=1).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseGo } from '../src/parse/parser.js';
import { importEdits } from '../src/plan/imports.js';
import { applyEdits } from '../src/plan/apply.js';
import { planFixes } from '../src/fix.js';
import { cleanupTemp, tempTree } from './helpers/cli.js';
import { runGo } from './helpers/go-toolchain.js';

afterAll(cleanupTemp);

function withImports(text: string, paths: string[]): string {
  return applyEdits(text, importEdits('p.go', text, parseGo(text), paths));
}

const PREAMBLE = '// static int twice(int x) { return 2 * x; }\n';

describe('importEdits with import "C"', () => {
  it('adds a separate declaration after a lone import "C", keeping its preamble', () => {
    const text = `package p\n\n${PREAMBLE}import "C"\n\nfunc f() int { return int(C.twice(2)) }\n`;
    expect(withImports(text, ['sync'])).toBe(`package p\n\n${PREAMBLE}import "C"\n\nimport "sync"\n\nfunc f() int { return int(C.twice(2)) }\n`);
  });

  it('adds a separate grouped declaration for several paths', () => {
    const text = 'package p\n\nimport "C"\n\nvar x int\n';
    expect(withImports(text, ['sync', 'maps'])).toBe('package p\n\nimport "C"\n\nimport (\n\t"maps"\n\t"sync"\n)\n\nvar x int\n');
  });

  it('merges into the other single import, even when import "C" comes last', () => {
    const text = `package p\n\nimport "fmt"\n\n${PREAMBLE}import "C"\n`;
    expect(withImports(text, ['sync'])).toBe(`package p\n\nimport (\n\t"fmt"\n\t"sync"\n)\n\n${PREAMBLE}import "C"\n`);
  });

  it('merges into the other grouped import, not a group holding "C"', () => {
    const text = `package p\n\nimport (\n\t// #include <stdlib.h>\n\t"C"\n\t"unsafe"\n)\n\nimport (\n\t"fmt"\n)\n`;
    expect(withImports(text, ['sync'])).toBe(`package p\n\nimport (\n\t// #include <stdlib.h>\n\t"C"\n\t"unsafe"\n)\n\nimport (\n\t"fmt"\n\t"sync"\n)\n`);
  });
});

describe('fix on a cgo file', () => {
  it('the mutex-wrapped result still builds with cgo', async () => {
    const source = `package p

${PREAMBLE}import "C"

var doubled = map[int]int{}

// Fill computes 2*i in C for each i, one goroutine each.
func Fill(n int) {
	for i := 0; i < n; i++ {
		go func(i int) {
			doubled[i] = int(C.twice(C.int(i)))
		}(i)
	}
}
`;
    const dir = tempTree({ 'go.mod': 'module example.com/p\n\ngo 1.21\n', 'p.go': source });
    const plan = planFixes(['.'], { cwd: dir, strategy: 'mutex-wrap' });
    expect(plan.files.map((f) => f.path)).toEqual(['p.go']);
    const after = plan.files[0]!.after;
    writeFileSync(join(dir, 'p.go'), after);
    const build = await runGo('go', ['build', './...'], dir, { env: { CGO_ENABLED: '1' } });
    expect(build.code, build.output).toBe(0);
    expect(after).toContain(`${PREAMBLE}import "C"\n\nimport "sync"\n`);
  });
});

// `npm run review-demo`: `gomapfix review --include-review` over a scratch copy of examples/demo,
// so the repository's copy is never rewritten. Extra arguments go to review (e.g. --verify --race).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const repo = join(import.meta.dirname, '..');
const copy = join(mkdtempSync(join(tmpdir(), 'gomapfix-review-demo-')), 'demo');
cpSync(join(repo, 'examples', 'demo'), copy, { recursive: true });
process.stderr.write(`reviewing a copy of examples/demo in ${copy}\n`);
const r = spawnSync(process.execPath, [join(repo, 'dist', 'src', 'cli', 'main.js'), 'review', '--include-review', ...process.argv.slice(2)], { cwd: copy, stdio: 'inherit' });
process.stderr.write(`the reviewed copy is in ${copy}\n`);
process.exit(r.status ?? 2);

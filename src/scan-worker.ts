// Analysis child process: analyses one directory per message until the parent disconnects.
import { runJob } from './scan.js';

process.on('message', (msg: { i: number; job: Parameters<typeof runJob>[0] }) => {
  process.send!({ i: msg.i, result: runJob(msg.job) });
});
process.on('disconnect', () => process.exit(0));

// Worker thread entry: analyses one directory per message.
import { parentPort } from 'node:worker_threads';
import { runJob } from './scan.js';

parentPort?.on('message', (msg: { i: number; job: Parameters<typeof runJob>[0] }) => {
  parentPort!.postMessage({ i: msg.i, result: runJob(msg.job) });
});

/* global process */
// Load generator for the throughput check: N keep-alive connections, each sending requests back to back
// for a fixed time. Runs in its own process so it does not share the server's event loop.
import { Agent, request } from 'node:http';

const [url, concurrency = '32', seconds = '5'] = process.argv.slice(2);
const agent = new Agent({ keepAlive: true, maxSockets: Number(concurrency) });
const deadline = Date.now() + Number(seconds) * 1000;
let ok = 0;
let failed = 0;

function one() {
  return new Promise((resolve) => {
    const req = request(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode === 200) ok++;
        else failed++;
        resolve();
      });
    });
    req.on('error', () => {
      failed++;
      resolve();
    });
    req.end();
  });
}

async function loop() {
  while (Date.now() < deadline) await one();
}

const started = Date.now();
await Promise.all(Array.from({ length: Number(concurrency) }, loop));
const elapsed = (Date.now() - started) / 1000;
agent.destroy();
process.stdout.write(JSON.stringify({ ok, failed, rps: Math.round(ok / elapsed) }) + '\n');

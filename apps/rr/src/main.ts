#!/usr/bin/env -S node --max-semi-space-size=4
// The bundled rr: the default distribution, every plugin of plugins.ts.
// The young generation is capped at 4 MB per semi-space (V8 default 16): after load that keeps the
// main process near 95 MB instead of 110-120 MB, for a throughput cost within this machine's noise (bench/README.md).
import { plugins } from './plugins.js';
import { runCli } from './runtime.js';
import { RR_VERSION } from './version.js';

await runCli({ name: 'rr', version: RR_VERSION, plugins });

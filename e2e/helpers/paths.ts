import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
export const phpSdk = resolve(repoRoot, 'php-sdk');
export const rrBin = resolve(repoRoot, 'apps/rr/dist/main.js');
export const php = process.env.RR_TEST_PHP ?? 'php';

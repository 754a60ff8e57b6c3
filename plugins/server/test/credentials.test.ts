import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRrError } from '@rr/errors';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveCredentials, type AccountSources } from '../src/credentials.js';

const dir = mkdtempSync(join(tmpdir(), 'rr-server-accounts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const passwdFile = join(dir, 'passwd');
const groupFile = join(dir, 'group');
writeFileSync(passwdFile, ['root:x:0:0:root:/root:/bin/bash', 'www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin', 'app:x:1000:1001::/home/app:/bin/sh', '# comment', ''].join('\n'));
writeFileSync(groupFile, ['root:x:0:', 'www-data:x:33:', 'web:x:2000:app', ''].join('\n'));
const asRoot: AccountSources = { passwdFile, groupFile, currentUid: 0, currentGid: 0 };

describe('resolveCredentials', () => {
  it('needs nothing without user and group', async () => {
    expect(await resolveCredentials('server', '', '', { ...asRoot, currentUid: 1000 })).toEqual({});
  });

  it("takes the user's uid and primary gid", async () => {
    expect(await resolveCredentials('server', 'app', '', asRoot)).toEqual({ uid: 1000, gid: 1001 });
  });

  it('lets group replace the primary gid', async () => {
    expect(await resolveCredentials('server', 'app', 'web', asRoot)).toEqual({ uid: 1000, gid: 2000 });
  });

  it('applies a group without a user to the gid alone', async () => {
    expect(await resolveCredentials('server', '', 'www-data', asRoot)).toEqual({ gid: 33 });
  });

  it('takes numeric ids that are not names', async () => {
    expect(await resolveCredentials('server', '4242', '4343', asRoot)).toEqual({ uid: 4242, gid: 4343 });
  });

  it('reads the real /etc/passwd by default', async () => {
    expect(await resolveCredentials('server', 'root', '', { currentUid: 0 })).toEqual({ uid: 0, gid: 0 });
  });

  it.each([
    ['an unknown user', 'nosuchuser', '', 'RR_ERR_SERVER_UNKNOWN_USER', 'server.user'],
    ['an unknown group', 'app', 'nosuchgroup', 'RR_ERR_SERVER_UNKNOWN_GROUP', 'server.group'],
  ])('refuses %s with a code naming the key', async (_name, user, group, code, key) => {
    const err = await resolveCredentials('server', user, group, asRoot).catch((e: unknown) => e);
    expect(isRrError(err, code)).toBe(true);
    expect((err as Error).message).toContain(key);
  });

  it('refuses an unknown user even when the account files are missing', async () => {
    const err = await resolveCredentials('server.on_init', 'app', '', { passwdFile: join(dir, 'none'), currentUid: 0 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'RR_ERR_SERVER_UNKNOWN_USER', message: expect.stringContaining('server.on_init.user') });
  });

  it('refuses to switch accounts when rr is not root', async () => {
    const err = await resolveCredentials('server', 'www-data', '', { ...asRoot, currentUid: 1000, currentGid: 1001 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'RR_ERR_SERVER_NOT_ROOT', message: expect.stringContaining('uid 1000') });
  });

  it("needs no switch (and no root) for the account rr already runs as", async () => {
    expect(await resolveCredentials('server', 'app', '', { ...asRoot, currentUid: 1000, currentGid: 1001 })).toEqual({});
  });
});

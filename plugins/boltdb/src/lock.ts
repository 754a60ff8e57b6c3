import { randomBytes } from 'node:crypto';
import { link, open, readFile, unlink, writeFile } from 'node:fs/promises';
import type { Logger } from '@rr/contracts';
import { boltdbErrors } from './errors.js';

/** An owned `<file>.lock`. */
export interface FileLock {
  /** Removes the lock file if it is still ours. */
  release(): Promise<void>;
}

const errCode = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | undefined)?.code;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return errCode(err) === 'EPERM';
  }
}

async function holderOf(lockPath: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt(await readFile(lockPath, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Creates the lock file with our pid already in it, atomically: a reader never sees an empty lock that it
 * could mistake for a stale one. `link()` does that where hard links work; elsewhere O_EXCL plus a write.
 */
async function createLock(lockPath: string): Promise<boolean> {
  const content = `${process.pid}\n`;
  const tmp = `${lockPath}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(tmp, content, { mode: 0o644 });
    await link(tmp, lockPath);
    return true;
  } catch (err) {
    if (errCode(err) === 'EEXIST') return false;
    if (errCode(err) !== 'EPERM' && errCode(err) !== 'ENOTSUP' && errCode(err) !== 'EOPNOTSUPP') throw err;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  try {
    const fh = await open(lockPath, 'wx', 0o644);
    await fh.writeFile(content).finally(() => fh.close());
    return true;
  } catch (err) {
    if (errCode(err) === 'EEXIST') return false;
    throw err;
  }
}

/**
 * Takes `<file>.lock` for this process: one owner per file, whether the other opener is this process or
 * another. A lock whose pid is no longer running (rr was killed) is taken over with a warn line.
 *
 * @throws RR_ERR_BOLTDB_LOCKED when a live process holds the lock (this one included).
 */
export async function acquireLock(file: string, log: Logger): Promise<FileLock> {
  const lockPath = `${file}.lock`;
  let holder: number | undefined;
  // Two rounds: the second follows a stale takeover; losing that race to another opener is a conflict.
  for (let round = 0; round < 2; round++) {
    if (await createLock(lockPath)) {
      return {
        async release() {
          if ((await holderOf(lockPath)) === process.pid) await unlink(lockPath).catch(() => undefined);
        },
      };
    }
    holder = await holderOf(lockPath);
    if (holder !== undefined && isAlive(holder)) break;
    log.warn('taking over a stale lock', { file, lock: lockPath, pid: holder ?? null });
    await unlink(lockPath).catch((err: unknown) => {
      if (errCode(err) !== 'ENOENT') throw err;
    });
  }
  throw boltdbErrors.LOCKED(file, holder ?? 0, { plugin: 'boltdb', details: { file, lock: lockPath, pid: holder } });
}

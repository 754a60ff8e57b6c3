import { readFile } from 'node:fs/promises';
import { serverErrors } from './errors.js';

/** The uid/gid a process is spawned with; both `undefined` means "as rr itself". */
export interface Credentials {
  uid?: number | undefined;
  gid?: number | undefined;
}

/** Where account names are looked up, and who rr runs as. Tests point these at fixtures. */
export interface AccountSources {
  /** @default '/etc/passwd' */
  passwdFile?: string;
  /** @default '/etc/group' */
  groupFile?: string;
  /** rr's own uid (`process.getuid()`); `undefined` where there is none (Windows). */
  currentUid?: number | undefined;
  /** rr's own gid (`process.getgid()`). */
  currentGid?: number | undefined;
}

interface Account {
  id: number;
  /** Primary group (passwd only). */
  gid: number;
}

/** Parses `name:password:id:gid:…` lines (passwd and group share the first three fields). */
async function lookup(file: string, name: string): Promise<Account | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    // No such database (a minimal container): only numeric ids can be resolved.
    text = '';
  }
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields[0] !== name || fields.length < 3) continue;
    const id = Number(fields[2]);
    const gid = Number(fields[3]);
    if (Number.isInteger(id)) return { id, gid: Number.isInteger(gid) ? gid : id };
  }
  // A purely numeric name that is not an account name is taken as the id itself, as `chown 1000` does.
  if (/^\d+$/.test(name)) return { id: Number(name), gid: Number(name) };
  return undefined;
}

/**
 * Resolves `user` / `group` names (or numeric ids) to the uid/gid to spawn with, reading /etc/passwd and
 * /etc/group directly (no dependency, no libc). The gid defaults to the user's primary group. A group
 * without a user changes only the gid (RoadRunner ignores it then).
 *
 * @param key the config key named in errors (`server` or `server.on_init`)
 * @throws RR_ERR_SERVER_UNKNOWN_USER, RR_ERR_SERVER_UNKNOWN_GROUP a name that does not exist
 * @throws RR_ERR_SERVER_NOT_ROOT an account is requested but rr is not root
 */
export async function resolveCredentials(key: string, user: string, group: string, sources: AccountSources = {}): Promise<Credentials> {
  if (user === '' && group === '') return {};
  const passwdFile = sources.passwdFile ?? '/etc/passwd';
  const groupFile = sources.groupFile ?? '/etc/group';
  const out: Credentials = {};
  if (user !== '') {
    const account = await lookup(passwdFile, user);
    if (account === undefined) throw serverErrors.UNKNOWN_USER(`${key}.user`, user);
    out.uid = account.id;
    out.gid = account.gid;
  }
  if (group !== '') {
    const entry = await lookup(groupFile, group);
    if (entry === undefined) throw serverErrors.UNKNOWN_GROUP(`${key}.group`, group);
    out.gid = entry.id;
  }
  const uid = sources.currentUid;
  if (uid === undefined || uid === 0) return out;
  // Asking for the account rr already runs as needs no switch (and no privilege).
  if ((out.uid === undefined || out.uid === uid) && out.gid === sources.currentGid) return {};
  // Switching accounts needs CAP_SETUID/CAP_SETGID; say so now rather than with EPERM at every spawn.
  throw serverErrors.NOT_ROOT(user !== '' ? `${key}.user` : `${key}.group`, uid);
}

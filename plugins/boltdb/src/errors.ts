import { defineErrors } from '@rr/errors';

/** The boltdb plugin's error catalogue: `RR_ERR_BOLTDB_*`. */
export const boltdbErrors = defineErrors('BOLTDB', {
  FOREIGN_FILE: {
    message: (file: string, kind: string) =>
      `${file} is not an rr ${kind} file: rr's boltdb driver keeps its own log format and cannot read bbolt files (such as RoadRunner's rr.db)`,
    hint: 'point `file` (boltdb.file, kv.<storage>.config.file or jobs.pipelines.<name>.config.file) at a new path; rr creates the file on first open. The data of a RoadRunner bbolt file must be copied over through the kv or jobs RPC',
  },
  WRONG_KIND: {
    message: (file: string, found: string, wanted: string) => `${file} is an rr ${found} file and cannot be opened as a ${wanted} file`,
    hint: 'a kv storage and a jobs pipeline never share a file: give each its own `file` (both default to rr.db)',
  },
  UNSUPPORTED_VERSION: {
    message: (file: string, kind: string, version: number) => `${file} is an rr ${kind} file of format version ${version}, which this rr does not read`,
    hint: 'open it with the rr version that wrote it, or point `file` at a new path',
  },
  CORRUPT: {
    message: (file: string, offset: number, problem: string) => `${file} is damaged at offset ${offset}: ${problem}`,
    hint: 'a record passed its checksum but does not decode: move the file aside and start from a new one; report it, as this is likely a bug',
  },
  LOCKED: {
    message: (file: string, pid: number) => `${file} is already open by process ${pid} (lock file ${file}.lock)`,
    hint: 'a file has one owner: give each kv storage and each jobs pipeline its own `file`, stop the other rr, or delete the .lock file if that process is not rr',
  },
  DIR_MISSING: {
    message: (file: string, dir: string) => `cannot open ${file}: the folder ${dir} does not exist`,
    hint: 'create the folder first (rr creates the file, not its folders), or fix `file`',
  },
  OPEN_FAILED: {
    message: (file: string, reason: string) => `cannot open ${file}: ${reason}`,
    hint: 'check that rr may read and write the file and its folder',
  },
  WRITE_FAILED: {
    message: (file: string, reason: string) => `cannot write ${file}: ${reason}; rr refuses further writes to it until restart`,
    hint: 'after a failed write or fsync the file may be incomplete: free space or fix the disk, then restart rr (the log is replayed and a torn tail dropped)',
  },
  TOO_LARGE: {
    message: (bytes: number) => `one batch of ${bytes} bytes is larger than a record can hold (4 GiB)`,
    hint: 'send the items in smaller batches',
  },
  PIPELINE_STOPPED: {
    message: (pipeline: string) => `boltdb pipeline ${pipeline} is stopped`,
    hint: 'the jobs plugin stopped or destroyed this pipeline (rr is stopping, or jobs.Destroy ran); push to a live pipeline',
  },
  CLOSED: {
    message: (file: string) => `the storage on ${file} is closed`,
    hint: 'the kv plugin closed this storage (rr is stopping); retry after rr restarts',
  },
});

import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { extname, join } from 'node:path';
import { Busboy, type BusboyFileStream } from '@fastify/busboy';
import type { Logger } from '@rr/contracts';
import { httpErrors } from './errors.js';
import { addField, type UploadedFile } from './form.js';

/** PHP upload error codes used by RoadRunner. */
const UPLOAD_ERR_NO_TMP_DIR = 6;
const UPLOAD_ERR_CANT_WRITE = 7;
const UPLOAD_ERR_EXTENSION = 8;

/** Where and what uploads may be written. */
export interface UploadRules {
  dir: string;
  /** Lower-case extensions with their dot. */
  forbid: ReadonlySet<string>;
  allow: ReadonlySet<string>;
}

/** The parsed multipart body. */
export interface MultipartResult {
  fields: Map<string, string[]>;
  files: Map<string, UploadedFile[]>;
}

/**
 * Streams a multipart body: fields are kept in memory, each file goes straight to a temp file
 * `upload*` in `rules.dir` (RoadRunner's pattern, mode 0600). Every path created is pushed to
 * `tempFiles` before anything is written, so the caller can delete them whatever happens.
 *
 * @throws RR_ERR_HTTP_BODY_TOO_LARGE past `limit` bytes (reading stops there).
 * @throws RR_ERR_HTTP_BAD_FORM on a malformed body (no boundary, truncated parts).
 */
export function readMultipart(
  req: IncomingMessage,
  limit: number,
  rules: UploadRules,
  tempFiles: string[],
  logger: Logger,
): Promise<MultipartResult> {
  return new Promise<MultipartResult>((resolve, reject) => {
    const fields = new Map<string, string[]>();
    const files = new Map<string, UploadedFile[]>();
    const writes: Promise<void>[] = [];
    const outs: WriteStream[] = [];
    let failed = false;
    let received = 0;

    const fail = (err: unknown): void => {
      if (failed) return;
      failed = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      bb.destroy();
      // A file part cut short never ends its write stream: close them so no descriptor leaks.
      for (const out of outs) out.destroy();
      reject(err);
    };

    let bb: ReturnType<typeof Busboy>;
    try {
      bb = Busboy({
        headers: req.headers as { 'content-type': string },
        // Go treats a part as a file only when it has a non-empty filename.
        isPartAFile: (_field, _type, filename) => filename !== undefined && filename !== '',
        limits: { fieldNameSize: 64 * 1024, fieldSize: limit, headerPairs: 2000 },
      });
    } catch (err) {
      reject(httpErrors.BAD_FORM(err instanceof Error ? err.message : String(err)));
      return;
    }

    bb.on('field', (name, value) => addField(fields, name, value));
    bb.on('file', (name, stream, filename, _encoding, mime) => {
      const file: UploadedFile = { name: filename, mime, size: 0, error: 0, tmpName: '' };
      addField(files, name, file);
      writes.push(storeFile(stream, file, rules, tempFiles, outs, logger));
    });
    bb.on('error', (err) => fail(httpErrors.BAD_FORM(err instanceof Error ? err.message : String(err))));
    bb.on('finish', () => {
      if (failed) return;
      Promise.all(writes).then(() => resolve({ fields, files }), fail);
    });

    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > limit) {
        fail(httpErrors.BODY_TOO_LARGE(limit));
        return;
      }
      if (!bb.write(chunk)) {
        req.pause();
        bb.once('drain', () => req.resume());
      }
    };
    const onEnd = (): void => {
      bb.end();
    };
    const onClose = (): void => {
      if (!req.complete) fail(new Error('the client closed the connection before sending the whole body'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
    req.on('error', fail);
  });
}

/** Writes one file part to a temp file, setting RoadRunner's error codes; never rejects. */
function storeFile(
  stream: BusboyFileStream,
  file: UploadedFile,
  rules: UploadRules,
  tempFiles: string[],
  outs: WriteStream[],
  logger: Logger,
): Promise<void> {
  const ext = extname(file.name).toLowerCase();
  if (rules.forbid.has(ext) || (rules.allow.size > 0 && !rules.allow.has(ext))) {
    file.error = UPLOAD_ERR_EXTENSION;
    stream.resume();
    return Promise.resolve();
  }
  const path = join(rules.dir, `upload${randomBytes(6).readUIntBE(0, 6)}`);
  tempFiles.push(path);
  return new Promise<void>((resolve) => {
    const out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
    outs.push(out);
    let opened = false;
    out.on('open', () => {
      opened = true;
      file.tmpName = path;
    });
    out.on('error', (err) => {
      file.error = opened ? UPLOAD_ERR_CANT_WRITE : UPLOAD_ERR_NO_TMP_DIR;
      logger.error('error opening the file', { file: file.name, tmp_name: path, error: err.message });
      stream.unpipe(out);
      stream.resume();
      resolve();
    });
    out.on('close', () => {
      if (file.error === 0) file.size = out.bytesWritten;
      resolve();
    });
    stream.pipe(out);
  });
}

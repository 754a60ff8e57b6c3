import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import * as protoLoader from '@grpc/proto-loader';
import { grpcErrors } from './errors.js';

const META = /[*?[]/;

/**
 * One segment of a Go `filepath.Glob` pattern as a RegExp: `*` (no `/`), `?`, `[a-z]`, `[^a-z]`,
 * `\x` escapes. Returns a reason string for a malformed pattern (Go's ErrBadPattern).
 */
function segmentRegExp(segment: string): RegExp | string {
  let out = '^';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i] as string;
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '\\') {
      if (i + 1 >= segment.length) return 'trailing backslash';
      out += `\\${segment[++i] as string}`;
    } else if (c === '[') {
      const end = segment.indexOf(']', i + 2);
      if (end < 0) return 'unclosed character class';
      let body = segment.slice(i + 1, end);
      if (body.startsWith('^')) body = `^${body.slice(1).replace(/[\]\\]/g, '\\$&')}`;
      else body = body.replace(/[\]\\^]/g, '\\$&');
      out += `[${body}]`;
      i = end;
    } else out += c.replace(/[.+^${}()|\]]/g, '\\$&');
  }
  return new RegExp(`${out}$`);
}

/** Go's filepath.Glob: matches are sorted; only existing paths are returned. */
export function glob(pattern: string): string[] | string {
  const absolute = isAbsolute(pattern);
  const segments = pattern.split('/').filter((s, i) => s !== '' || i === 0);
  let bases = [absolute ? '/' : '.'];
  for (const [i, segment] of segments.entries()) {
    if (i === 0 && absolute) continue;
    if (!META.test(segment)) {
      bases = bases.map((b) => join(b, segment)).filter((p) => existsSync(p));
      continue;
    }
    const re = segmentRegExp(segment);
    if (typeof re === 'string') return re;
    const next: string[] = [];
    for (const base of bases) {
      let names: string[];
      try {
        if (!statSync(base).isDirectory()) continue;
        names = readdirSync(base);
      } catch {
        continue;
      }
      for (const name of names.sort()) if (re.test(name)) next.push(join(base, name));
    }
    bases = next;
  }
  return bases.map((p) => (absolute ? p : p.replace(/^\.\//, ''))).sort();
}

/** `grpc.proto` entries resolved to files: globs expanded, every entry must yield a file. */
export function resolveProtoFiles(entries: readonly string[]): string[] {
  const files: string[] = [];
  for (const [i, entry] of entries.entries()) {
    const path = `grpc.proto[${i}]`;
    if (META.test(entry)) {
      const matches = glob(entry);
      if (typeof matches === 'string') throw grpcErrors.BAD_GLOB(path, entry, matches, { plugin: 'grpc', details: { path, pattern: entry } });
      const protoFiles = matches.filter((m) => statSync(m).isFile());
      if (protoFiles.length === 0) throw grpcErrors.PROTO_GLOB_EMPTY(path, entry, { plugin: 'grpc', details: { path, pattern: entry } });
      files.push(...protoFiles);
    } else {
      if (!existsSync(entry) || !statSync(entry).isFile()) throw grpcErrors.PROTO_NOT_FOUND(path, entry, { plugin: 'grpc', details: { path, file: entry } });
      files.push(entry);
    }
  }
  return [...new Set(files.map((f) => resolve(f)))];
}

/** One RPC method of a loaded service. */
export interface ProtoMethod {
  /** Fully-qualified service name, e.g. `test.Echo`. */
  service: string;
  /** The method name as in the .proto, e.g. `Say`. */
  method: string;
  /** `/test.Echo/Say` */
  path: string;
  requestStream: boolean;
  responseStream: boolean;
}

/** The loaded protos: the proto-loader definition (for reflection) and the services' methods. */
export interface LoadedProtos {
  definition: protoLoader.PackageDefinition;
  services: Map<string, ProtoMethod[]>;
}

const isService = (v: unknown): v is protoLoader.ServiceDefinition =>
  typeof v === 'object' && v !== null && !('format' in v) && Object.values(v).every((m) => typeof m === 'object' && m !== null && 'path' in m);

/** Loads the files with proto-loader; imports resolve from each file's directory. */
export function loadProtos(files: readonly string[]): LoadedProtos {
  const services = new Map<string, ProtoMethod[]>();
  if (files.length === 0) return { definition: {}, services };
  let definition: protoLoader.PackageDefinition;
  try {
    definition = protoLoader.loadSync([...files], {
      includeDirs: [...new Set(files.map((f) => dirname(f)))],
      keepCase: true,
      longs: String,
      enums: String,
      defaults: false,
      oneofs: true,
    });
  } catch (err) {
    throw grpcErrors.PROTO_INVALID(files.join(', '), err instanceof Error ? err.message : String(err), { plugin: 'grpc', cause: err });
  }
  for (const [name, value] of Object.entries(definition)) {
    if (!isService(value) || Object.keys(value).length === 0) continue;
    const methods = Object.values(value).map((m) => ({
      service: name,
      method: m.path.slice(m.path.lastIndexOf('/') + 1),
      path: m.path,
      requestStream: m.requestStream,
      responseStream: m.responseStream,
    }));
    services.set(name, methods);
  }
  return { definition, services };
}

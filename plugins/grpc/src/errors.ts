import { defineErrors } from '@rr/errors';

/**
 * The grpc plugin's error catalogue. Call failures never leave the plugin as exceptions (they become
 * gRPC statuses); these codes are for startup and logs.
 */
export const grpcErrors = defineErrors('GRPC', {
  PROTO_NOT_FOUND: {
    message: (path: string, file: string) => `${path}: proto file '${file}' does not exist`,
    hint: 'fix the path in grpc.proto (relative paths are resolved from the working directory)',
  },
  PROTO_GLOB_EMPTY: {
    message: (path: string, pattern: string) => `${path}: the glob '${pattern}' matches no file`,
    hint: 'fix the pattern in grpc.proto or remove it',
  },
  BAD_GLOB: {
    message: (path: string, pattern: string, reason: string) => `${path}: invalid glob '${pattern}': ${reason}`,
    hint: 'globs support *, ? and [a-z] classes within one path segment, as Go filepath.Glob',
  },
  PROTO_INVALID: {
    message: (files: string, reason: string) => `grpc.proto: cannot load ${files}: ${reason}`,
    hint: 'check the .proto syntax; imports are resolved from the directory of each listed file',
  },
  TLS_FILE: {
    message: (path: string, file: string, reason: string) => `${path}: cannot read '${file}': ${reason}`,
    hint: 'grpc.tls.key, grpc.tls.cert and grpc.tls.root_ca must be readable PEM files',
  },
  TLS_INVALID: {
    message: (reason: string) => `grpc.tls: the key or certificate is invalid: ${reason}`,
    hint: 'grpc.tls.cert must be a PEM certificate chain and grpc.tls.key its PEM private key',
  },
  LISTEN_FAILED: {
    message: (address: string, reason: string) => `grpc could not listen on ${address}: ${reason}`,
    hint: 'another process may hold the port (EADDRINUSE); change grpc.listen',
  },
  NOT_STARTED: {
    message: () => 'the grpc pool has not started yet',
    hint: 'retry once rr is ready',
  },
});

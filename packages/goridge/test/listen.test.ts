import type { RrError } from '@rr/errors';
import { goridgeErrors } from '@rr/goridge';
import { describe, expect, it } from 'vitest';
// White-box: the shared listen helper behind RelayListener and RpcServer.
import { listenOn, stopListening } from '../src/relay/listen.js';

describe('listenOn', () => {
  it('turns server errors after listening (accept failures such as EMFILE) into reported I/O errors, not crashes', async () => {
    const errors: RrError[] = [];
    const listening = await listenOn('tcp://127.0.0.1:0', (err) => errors.push(err));
    listening.server.emit('error', Object.assign(new Error('accept EMFILE'), { code: 'EMFILE' }));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: goridgeErrors.IO.code, message: expect.stringContaining('accept EMFILE') });
    expect(errors[0]?.message).toContain(listening.address);
    stopListening(listening);
  });
});

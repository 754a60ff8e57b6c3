export { sendfilePlugin, sendfilePlugin as default } from './plugin.js';
export { createSendfileMiddleware, interceptSendfile, X_SENDFILE, SENDFILE_CHUNK_SIZE } from './sendfile.js';
export { contentTypeOf } from './mime.js';
export { sendfileErrors } from './errors.js';

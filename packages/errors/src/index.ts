export { RrError, isRrError, type RrErrorOptions } from './rr-error.js';
export { defineErrors, declaredErrorCodes, type ErrorSpec } from './define-errors.js';

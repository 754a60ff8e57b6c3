export { RrError, isRrError, type RrErrorOptions } from './rr-error.js';
export { defineErrors, declaredErrorCodes, declaredErrors, type ErrorSpec, type DeclaredError } from './define-errors.js';

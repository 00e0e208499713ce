/**
 * Express, Connect and `node:http` bindings for Gatehouse: {@link authenticate}
 * stores each request's `AuthContext`, {@link getAuth} reads it,
 * {@link requireAuth} guards routes with an RFC 6750 401, and
 * {@link errorHandler} renders Gatehouse errors as RFC 9457 problem+json.
 *
 * @packageDocumentation
 */
export { authenticate } from "./authenticate.js";
export { errorHandler } from "./error-handler.js";
export { getAuth } from "./get-auth.js";
export {
  type ProblemDetails,
  type ProblemSource,
  problemDetails,
  sendProblem,
} from "./problem.js";
export { requireAuth } from "./require-auth.js";
export type {
  AuthenticateOptions,
  ErrorHandlerOptions,
  ErrorMiddleware,
  Middleware,
  NextFunction,
  ProblemOptions,
  RequireAuthOptions,
} from "./types.js";

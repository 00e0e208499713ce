// Compile-time checks (run by `tsc`): the middleware fit Express, Connect and node:http.
import type { IncomingMessage } from "node:http";
import type { AuthContext } from "@gatehouse/core";
import type * as connect from "connect";
import type * as express from "express";
import { describe, expectTypeOf, it } from "vitest";
import {
  authenticate,
  errorHandler,
  getAuth,
  type Middleware,
  type ProblemDetails,
  problemDetails,
  requireAuth,
} from "./index.js";
import { makeVerifier } from "./test-helpers.js";

describe("types", () => {
  it("fit Express and Connect handler types", () => {
    const verifier = makeVerifier();
    expectTypeOf(authenticate(verifier)).toExtend<express.RequestHandler>();
    expectTypeOf(requireAuth()).toExtend<express.RequestHandler>();
    expectTypeOf(errorHandler()).toExtend<express.ErrorRequestHandler>();
    expectTypeOf(authenticate(verifier)).toExtend<connect.NextHandleFunction>();
    expectTypeOf(errorHandler()).toExtend<connect.ErrorHandleFunction>();
    expectTypeOf(authenticate).parameter(0).toExtend<Pick<typeof verifier, "authenticate">>();
  });

  it("getAuth accepts Express, Connect and node:http requests", () => {
    expectTypeOf(getAuth).toBeCallableWith({} as express.Request);
    expectTypeOf(getAuth).toBeCallableWith({} as connect.IncomingMessage);
    expectTypeOf(getAuth).toBeCallableWith({} as IncomingMessage);
    expectTypeOf(getAuth).returns.toEqualTypeOf<AuthContext>();
    expectTypeOf(problemDetails).returns.toEqualTypeOf<ProblemDetails>();
    expectTypeOf<Middleware>().parameters.toEqualTypeOf<
      [IncomingMessage, import("node:http").ServerResponse, (err?: unknown) => void]
    >();
  });
});

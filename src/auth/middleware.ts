// Placeholder owned by the web feature (sign-in and sessions).
import type { RequestHandler } from "express";
import type { Role } from "../generated/prisma/enums.js";
import type { AppContext } from "../context.js";
import { AppError } from "../lib/errors.js";

export interface SessionUser {
  id: string;
  organizationId: string;
  email: string;
  name: string;
  role: Role;
  /** The agent identity an agent account is linked to. */
  agentId: string | null;
}

declare module "express-serve-static-core" {
  interface Request {
    user?: SessionUser;
  }
}

/** Requires a signed-in user with one of the roles (any role when omitted). */
export function requireUser(_ctx: AppContext, roles?: Role[]): RequestHandler {
  return (req, _res, next) => {
    if (!req.user) return next(new AppError("unauthorized", "Sign in first"));
    if (roles && !roles.includes(req.user.role)) return next(new AppError("forbidden", "Not allowed for your role"));
    next();
  };
}

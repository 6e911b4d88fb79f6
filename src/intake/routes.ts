import { Router } from "express";
import type { AppContext } from "../context.js";

// Placeholder: filled in by the feature.
export function intakeRouter(_ctx: AppContext): Router {
  return Router();
}

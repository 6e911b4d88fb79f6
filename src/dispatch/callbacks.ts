import { Router } from "express";
import type { AppContext } from "../context.js";

// Placeholder so the Twilio router can mount it: the dispatcher feature
// replaces this with the status, AMD and recording callbacks.
export function dispatchCallbackRouter(_ctx: AppContext): Router {
  return Router();
}

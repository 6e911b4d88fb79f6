import { admin } from "./admin.js";
import { errors } from "./errors.js";
import { auth } from "./auth.js";
import { shell } from "./shell.js";

/** The Swedish catalogue: every user-visible text, namespaced by feature. */
export const sv = {
  shell,
  auth,
  errors,
  admin,
};

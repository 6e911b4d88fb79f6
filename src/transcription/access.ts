import { AppError } from "../lib/errors.js";

/** Who acts: the signed-in user (route) or a test. */
export interface Actor {
  id: string;
  organizationId: string;
  role: "admin" | "manager" | "agent";
  ip?: string | null;
}

/** Transcripts quote citizens: managers and admins of the organization only, as for the listening queue. */
export function assertManager(actor: Actor): void {
  if (actor.role !== "admin" && actor.role !== "manager")
    throw new AppError("forbidden", "Only a manager or an admin reads transcripts");
}

export function assertAdmin(actor: Actor): void {
  if (actor.role !== "admin") throw new AppError("forbidden", "Only an admin changes the classification rules");
}

import { z } from "zod";
import type { Db } from "../lib/db.js";
import { AppError, parseOrThrow } from "../lib/errors.js";
import type { SessionUser } from "./middleware.js";
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from "./passwords.js";

export const roleSchema = z.enum(["admin", "manager", "agent"]);
export const emailSchema = z.string().trim().toLowerCase().email().max(254);
export const passwordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(256);

const SESSION_USER = { id: true, organizationId: true, email: true, name: true, role: true, agentId: true } as const;

export const newUserSchema = z
  .object({
    organizationId: z.string().uuid(),
    email: emailSchema,
    name: z.string().trim().min(1).max(120),
    role: roleSchema,
    /** Agent.id; required for the agent role, forbidden otherwise. */
    agentId: z.string().uuid().nullish(),
    password: passwordSchema.nullish(),
    oidcSubject: z.string().min(1).max(255).nullish(),
  })
  .superRefine((u, ctx) => {
    if (u.role === "agent" && !u.agentId)
      ctx.addIssue({ code: "custom", path: ["agentId"], message: "an agent account must be linked to an agent" });
    if (u.role !== "agent" && u.agentId)
      ctx.addIssue({ code: "custom", path: ["agentId"], message: "only agent accounts are linked to an agent" });
  });
export type NewUser = z.input<typeof newUserSchema>;

export async function createUser(db: Db, input: NewUser): Promise<SessionUser> {
  const u = parseOrThrow(newUserSchema, input, "user");
  if (u.agentId) {
    const agent = await db.agent.findFirst({
      where: { id: u.agentId, organizationId: u.organizationId },
      select: { id: true },
    });
    if (!agent)
      throw new AppError("validation_failed", "No such agent in this organization", [
        { field: "agentId", message: "unknown agent" },
      ]);
  }
  const existing = await db.user.findUnique({ where: { email: u.email }, select: { id: true } });
  if (existing)
    throw new AppError(
      "conflict",
      `A user with e-mail ${u.email} already exists`,
      [{ field: "email", message: "taken" }],
      `E-postadress: det finns redan en användare med ${u.email}.`,
    );
  return db.user.create({
    data: {
      organizationId: u.organizationId,
      email: u.email,
      name: u.name,
      role: u.role,
      agentId: u.agentId ?? null,
      oidcSubject: u.oidcSubject ?? null,
      passwordHash: u.password ? await hashPassword(u.password) : null,
    },
    select: SESSION_USER,
  });
}

/** The active user for an e-mail and password, or null (same answer for every kind of failure). */
export async function authenticate(db: Db, email: string, password: string): Promise<SessionUser | null> {
  const parsed = emailSchema.safeParse(email);
  const row = parsed.success
    ? await db.user.findUnique({
        where: { email: parsed.data },
        select: { ...SESSION_USER, passwordHash: true, disabledAt: true },
      })
    : null;
  const ok = await verifyPassword(row && !row.disabledAt ? row.passwordHash : null, password);
  if (!ok || !row) return null;
  const { passwordHash: _h, disabledAt: _d, ...user } = row;
  return user;
}

export async function setPassword(db: Db, userId: string, password: string): Promise<void> {
  const pw = parseOrThrow(passwordSchema, password, "password");
  await db.user.update({ where: { id: userId }, data: { passwordHash: await hashPassword(pw) } });
}

export const updateUserSchema = z.object({
  name: z.string().trim().min(1).max(120).optional(),
  role: roleSchema.optional(),
  agentId: z.string().uuid().nullable().optional(),
  disabled: z.boolean().optional(),
});

export async function updateUser(
  db: Db,
  organizationId: string,
  userId: string,
  patch: z.input<typeof updateUserSchema>,
) {
  const p = parseOrThrow(updateUserSchema, patch, "user");
  const current = await db.user.findFirst({
    where: { id: userId, organizationId },
    select: { role: true, agentId: true, disabledAt: true },
  });
  if (!current) throw new AppError("not_found", "No such user");
  const role = p.role ?? current.role;
  const agentId = role === "agent" ? (p.agentId !== undefined ? p.agentId : current.agentId) : null;
  if (role === "agent" && !agentId)
    throw new AppError("validation_failed", "An agent account must be linked to an agent", [
      { field: "agentId", message: "required" },
    ]);
  if (agentId) {
    const agent = await db.agent.findFirst({ where: { id: agentId, organizationId }, select: { id: true } });
    if (!agent)
      throw new AppError("validation_failed", "No such agent in this organization", [
        { field: "agentId", message: "unknown agent" },
      ]);
  }
  return db.user.update({
    where: { id: userId },
    data: {
      ...(p.name ? { name: p.name } : {}),
      role,
      agentId,
      ...(p.disabled === undefined ? {} : { disabledAt: p.disabled ? (current.disabledAt ?? new Date()) : null }),
    },
    select: { ...SESSION_USER, disabledAt: true },
  });
}

export async function listUsers(db: Db, organizationId: string) {
  return db.user.findMany({
    where: { organizationId },
    orderBy: [{ role: "asc" }, { name: "asc" }],
    select: {
      ...SESSION_USER,
      disabledAt: true,
      oidcSubject: true,
      agent: { select: { externalId: true, name: true } },
    },
  });
}

/** Display names of an organization's users by id (who corrected, who decided); unknown ids are absent. */
export async function userNames(db: Db, organizationId: string, ids: readonly string[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return new Map();
  const users = await db.user.findMany({
    where: { organizationId, id: { in: wanted } },
    select: { id: true, name: true },
  });
  return new Map(users.map((u) => [u.id, u.name]));
}

import { randomInt } from "node:crypto";
import type { Config } from "../lib/config.js";
import type { Db } from "../lib/db.js";
import type { Logger } from "../lib/logger.js";
import { retryOnUniqueConflict } from "../lib/unique-conflict.js";
import { ensureAgent } from "../organizations/service.js";
import { hashPassword, verifyPassword } from "./passwords.js";
import type { Role } from "../generated/prisma/enums.js";
import { DEMO_AGENTS as ROSTER } from "../demo/roster.js";

/**
 * SEED_ADMIN_EMAIL/SEED_ADMIN_PASSWORD: an admin that exists, is enabled and
 * has exactly that password after every start (automation and first runs).
 */
export async function ensureSeedAdmin(db: Db, config: Config, organizationId: string, logger: Logger): Promise<void> {
  if (!config.SEED_ADMIN_EMAIL || !config.SEED_ADMIN_PASSWORD) return;
  const email = config.SEED_ADMIN_EMAIL.toLowerCase();
  const select = { id: true, passwordHash: true, role: true, disabledAt: true } as const;
  let existing = await db.user.findUnique({ where: { email }, select });
  if (!existing) {
    // ON CONFLICT DO NOTHING: another instance starting at the same moment may create it first.
    const { count } = await db.user.createMany({
      data: [
        {
          organizationId,
          email,
          name: "Administratör",
          role: "admin",
          passwordHash: await hashPassword(config.SEED_ADMIN_PASSWORD),
        },
      ],
      skipDuplicates: true,
    });
    if (count === 1) {
      logger.info("seed admin created", { email });
      return;
    }
    existing = await db.user.findUniqueOrThrow({ where: { email }, select });
  }
  const samePassword = await verifyPassword(existing.passwordHash, config.SEED_ADMIN_PASSWORD);
  if (samePassword && existing.role === "admin" && !existing.disabledAt) return;
  await db.user.update({
    where: { id: existing.id },
    data: {
      role: "admin",
      disabledAt: null,
      ...(samePassword ? {} : { passwordHash: await hashPassword(config.SEED_ADMIN_PASSWORD) }),
    },
  });
  logger.info("seed admin updated", { email });
}

/** Sign-in accounts for the first demo agents of the demo traffic's roster (same externalIds). */
export const DEMO_AGENTS = ROSTER.slice(0, 3);

export interface DemoLogin {
  role: Role;
  email: string;
  password: string;
}

/** Letters only: digit runs would be masked by the logger's phone-number filter. */
function demoPassword(): string {
  const a = "abcdefghijkmnopqrstuvwxyz";
  return Array.from({ length: 4 }, () => Array.from({ length: 4 }, () => a[randomInt(a.length)]).join("")).join("-");
}

/**
 * Demo accounts for the embedded demo: an admin, a manager and one agent
 * account per demo agent. Passwords are new on every start and printed, so a
 * newcomer can sign in without reading any file.
 */
export async function ensureDemoUsers(db: Db, organizationId: string): Promise<DemoLogin[]> {
  const accounts: { role: Role; email: string; name: string; externalId?: string }[] = [
    { role: "admin", email: "admin@demo.invalid", name: "Demo Administratör" },
    { role: "manager", email: "enhetschef@demo.invalid", name: "Demo Enhetschef" },
    ...DEMO_AGENTS.map((a, i) => ({
      role: "agent" as const,
      email: `agent${String(i + 1).padStart(2, "0")}@demo.invalid`,
      name: a.name,
      externalId: a.externalId,
    })),
  ];
  const out: DemoLogin[] = [];
  for (const acc of accounts) {
    const agent = acc.externalId ? await ensureAgent(db, organizationId, acc.externalId, acc.name) : null;
    const password = demoPassword();
    const passwordHash = await hashPassword(password);
    await retryOnUniqueConflict(() =>
      db.user.upsert({
        where: { email: acc.email },
        update: { passwordHash, role: acc.role, agentId: agent?.id ?? null, disabledAt: null },
        create: {
          organizationId,
          email: acc.email,
          name: acc.name,
          role: acc.role,
          agentId: agent?.id ?? null,
          passwordHash,
        },
      }),
    );
    out.push({ role: acc.role, email: acc.email, password });
  }
  return out;
}

import type { Prisma } from "../generated/prisma/client.js";
import { retryOnUniqueConflict } from "../lib/unique-conflict.js";
import type { Db } from "../lib/db.js";
import { presetTargets } from "../results/target-presets.js";
import { orgSettingsSchema, type OrgSettings } from "./settings.js";

/**
 * Organizations, svarsgrupper and agents. The telephony system is the source
 * of truth for groups and agents: they are registered on first sight.
 */
export async function ensureOrganization(
  db: Db,
  input: {
    slug: string;
    name: string;
    timeZone: string;
    settings?: Partial<OrgSettings>;
    /** Preset the source documents' targets from this day (YYYY-MM-DD) when the organization is new. */
    presetTargetsFrom?: string;
  },
) {
  const existing = await db.organization.findUnique({ where: { slug: input.slug } });
  if (existing) return existing;
  // INSERT … ON CONFLICT DO NOTHING: several instances starting at once on an empty database all succeed.
  const created = await db.organization.createMany({
    data: [
      {
        slug: input.slug,
        name: input.name,
        timeZone: input.timeZone,
        settings: orgSettingsSchema.parse(input.settings ?? {}),
      },
    ],
    skipDuplicates: true,
  });
  const org = await db.organization.findUniqueOrThrow({ where: { slug: input.slug } });
  if (created.count === 1 && input.presetTargetsFrom) await presetTargets(db, org.id, input.presetTargetsFrom);
  return org;
}

/** Applies operator overrides (env) on top of the stored settings. */
export async function applySettingsOverrides(db: Db, organizationId: string, overrides: Partial<OrgSettings>) {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  if (Object.keys(defined).length === 0) return;
  const org = await db.organization.findUniqueOrThrow({ where: { id: organizationId }, select: { settings: true } });
  const settings = orgSettingsSchema.parse({ ...(org.settings as object), ...defined });
  await saveOrganizationSettings(db, organizationId, settings);
}

/** Stores an organization's settings, already parsed with orgSettingsSchema (the admin pages, overrides). */
export async function saveOrganizationSettings(db: Db, organizationId: string, settings: OrgSettings): Promise<void> {
  await db.organization.update({ where: { id: organizationId }, data: { settings } });
}

/** Renames a svarsgrupp and stores its overrides, already parsed with groupSettingsSchema. */
export async function saveGroup(db: Db, groupId: string, g: { name: string; settings: Prisma.InputJsonObject }) {
  await db.answerGroup.update({ where: { id: groupId }, data: { name: g.name, settings: g.settings } });
}

export async function getOrganization(db: Db, id: string) {
  const org = await db.organization.findUniqueOrThrow({ where: { id } });
  return { ...org, settings: orgSettingsSchema.parse(org.settings) };
}

export async function ensureGroup(db: Db, organizationId: string, key: string, name?: string) {
  return retryOnUniqueConflict(() =>
    db.answerGroup.upsert({
      where: { organizationId_key: { organizationId, key } },
      // A name from the telephony system wins over an older one; absence keeps it.
      update: name ? { name } : {},
      create: { organizationId, key, name: name ?? key },
    }),
  );
}

export async function ensureAgent(db: Db, organizationId: string, externalId: string, name?: string) {
  return retryOnUniqueConflict(() =>
    db.agent.upsert({
      where: { organizationId_externalId: { organizationId, externalId } },
      update: name ? { name } : {},
      create: { organizationId, externalId, name: name ?? null },
    }),
  );
}

/** The organization's svarsgrupper and agents by name, for filter lists (search, reports). */
export async function listGroupsAndAgents(db: Db, organizationId: string) {
  const [groups, agents] = await Promise.all([
    db.answerGroup.findMany({ where: { organizationId }, orderBy: { name: "asc" }, select: { id: true, name: true } }),
    db.agent.findMany({
      where: { organizationId },
      orderBy: [{ name: "asc" }, { externalId: "asc" }],
      select: { id: true, name: true, externalId: true },
    }),
  ]);
  return { groups, agents: agents.map((a) => ({ id: a.id, name: a.name ?? a.externalId })) };
}

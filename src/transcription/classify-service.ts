import type { AppContext } from "../context.js";
import type { Prisma as PrismaNs } from "../generated/prisma/client.js";
import { audit } from "../audit/log.js";
import { parseOrThrow } from "../lib/errors.js";
import { findScores } from "../review/repository.js";
import { assertAdmin, assertManager, type Actor } from "./access.js";
import { rulesSchema, suggest, type ClassificationRules, type Suggestion } from "./classify.js";
import { DEFAULT_RULES } from "./default-rules.js";

export type { Suggestion } from "./classify.js";

/** The organization's rules, or the defaults when it has none of its own. */
export async function rulesFor(ctx: Pick<AppContext, "prisma">, organizationId: string): Promise<ClassificationRules> {
  const row = await ctx.prisma.classificationRuleSet.findUnique({ where: { organizationId }, select: { rules: true } });
  if (!row) return DEFAULT_RULES;
  const parsed = rulesSchema.safeParse(row.rules);
  return parsed.success ? parsed.data : DEFAULT_RULES;
}

export async function getRules(ctx: AppContext, actor: Actor) {
  assertManager(actor);
  const row = await ctx.prisma.classificationRuleSet.findUnique({
    where: { organizationId: actor.organizationId },
    select: { updatedAt: true },
  });
  return { rules: await rulesFor(ctx, actor.organizationId), custom: row !== null, updatedAt: row?.updatedAt ?? null };
}

/** Replaces the organization's rules (null: back to the defaults). Audited. */
export async function putRules(ctx: AppContext, actor: Actor, input: unknown) {
  assertAdmin(actor);
  const orgId = actor.organizationId;
  if (input === null) {
    await ctx.prisma.classificationRuleSet.deleteMany({ where: { organizationId: orgId } });
  } else {
    const rules = parseOrThrow(rulesSchema, input);
    const data = { rules: rules as unknown as PrismaNs.InputJsonValue, updatedById: actor.id };
    await ctx.prisma.classificationRuleSet.upsert({
      where: { organizationId: orgId },
      create: { organizationId: orgId, ...data },
      update: data,
    });
  }
  await audit(ctx.prisma, {
    organizationId: orgId,
    actorUserId: actor.id,
    action: input === null ? "classification-rules.reset" : "classification-rules.update",
    ip: actor.ip ?? null,
  });
  return getRules(ctx, actor);
}

/** The suggestion for one message's text, with the citizen's own scores. */
export async function suggestFor(
  ctx: AppContext,
  organizationId: string,
  voiceMessageId: string,
  text: string,
): Promise<Suggestion> {
  const vm = await ctx.prisma.voiceMessage.findUnique({ where: { id: voiceMessageId }, select: { surveyId: true } });
  const scores = vm ? ((await findScores(ctx.prisma, [vm.surveyId])).get(vm.surveyId) ?? null) : null;
  return suggest(await rulesFor(ctx, organizationId), text, scores);
}

import type { AppContext } from "../context.js";
import { optOutNumber } from "../survey/optout.js";
import { recordSmsStatus, rememberInbound, smsCallerHash } from "./repository.js";
import { isStopMessage, statusRank } from "./rules.js";
import { STOP_CONFIRMATION } from "./text.js";

/**
 * A delivery status callback: recorded when it moves the status forward
 * (replays and out-of-order callbacks change nothing). An error 21610 (the
 * recipient blocked the sender at the carrier) is also an opt-out.
 */
export async function handleSmsStatus(
  ctx: AppContext,
  s: { smsId: string; messageSid: string; status: string; errorCode: string | null },
): Promise<"recorded" | "ignored"> {
  const at = ctx.now();
  const recorded = await recordSmsStatus(ctx.prisma, { ...s, id: s.smsId, rank: statusRank(s.status), at });
  if (recorded && s.errorCode === "21610") {
    const who = await smsCallerHash(ctx.prisma, s.smsId);
    if (who?.hash) {
      const { organizationId, hash } = who;
      await ctx.prisma.$transaction((tx) =>
        optOutNumber(tx, { organizationId, numberHash: hash, source: "sms-carrier", at }),
      );
    }
  }
  if (recorded)
    ctx.logger.info("SMS status recorded", { smsId: s.smsId, status: s.status, errorCode: s.errorCode ?? undefined });
  return recorded ? "recorded" : "ignored";
}

/**
 * An SMS to our sender. STOPP, STOP or AVSLUTA opts the number out (by its
 * keyed hash, like star on the keypad) in every organization of this
 * installation, since the sender is one for all of them, and is answered once
 * with a confirmation. Any other text gets no reply: a survey link is the only
 * thing we send, and an automatic answer to every message would be a nuisance.
 * The MessageSid is remembered in the same transaction as the opt-out, so a
 * replayed webhook is answered with nothing and a failed one is redone whole.
 */
export async function handleInboundSms(
  ctx: AppContext,
  m: { messageSid: string; from: string; body: string },
): Promise<{ reply: string | null; kind: "stop" | "other"; duplicate: boolean }> {
  const kind = isStopMessage(m.body) ? "stop" : "other";
  const at = ctx.now();
  const hash = ctx.numbers.hash(m.from);
  const first = await ctx.prisma.$transaction(async (tx) => {
    if (!(await rememberInbound(tx, { messageSid: m.messageSid, kind, at }))) return false;
    if (kind === "stop") {
      const orgs = await tx.organization.findMany({ select: { id: true } });
      for (const o of orgs) await optOutNumber(tx, { organizationId: o.id, numberHash: hash, source: "sms", at });
    }
    return true;
  });
  ctx.logger.info(first ? "inbound SMS handled" : "inbound SMS replayed; nothing done", {
    kind,
    from: m.from,
    messageSid: m.messageSid,
  });
  return { reply: first && kind === "stop" ? STOP_CONFIRMATION : null, kind, duplicate: !first };
}

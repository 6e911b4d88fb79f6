import type { AppContext } from "../context.js";
import { audit } from "../audit/log.js";
import { orgSettingsSchema, type OrgSettings } from "../organizations/settings.js";
import { FINAL_STATES } from "../survey/state.js";
import { audioPurgeCutoff, callerHashCutoff, dataCutoff, inboundSmsCutoff, staleCiphertextCutoff } from "./rules.js";
import { purgeInboundSms } from "../sms/repository.js";

export type RetentionDeps = Pick<AppContext, "prisma" | "storage" | "logger" | "now">;

const BATCH = 200;
/** Bounds one run; the next tick continues. */
const MAX_BATCHES = 50;

async function organizations(deps: RetentionDeps): Promise<{ id: string; settings: OrgSettings }[]> {
  const orgs = await deps.prisma.organization.findMany({ select: { id: true, settings: true } });
  return orgs.map((o) => ({ id: o.id, settings: orgSettingsSchema.parse(o.settings) }));
}

async function deleteAudio(deps: RetentionDeps, key: string) {
  try {
    await deps.storage.delete(key);
  } catch (err) {
    // The row already says purged; an orphaned file is logged for the operator to remove.
    deps.logger.error("could not delete voice-message audio", { storageKey: key, err });
  }
}

/**
 * Deletes the audio of voice messages reviewed longer ago than the
 * organization's audioRetentionDaysAfterReview, keeping the review. Each
 * message is claimed with a guarded update first, so two instances never
 * both count it and a message reopened meanwhile keeps its audio.
 */
export async function purgeReviewedAudio(deps: RetentionDeps): Promise<number> {
  const now = deps.now();
  let total = 0;
  for (const org of await organizations(deps)) {
    const cutoff = audioPurgeCutoff(now, org.settings.audioRetentionDaysAfterReview);
    let purged = 0;
    for (let i = 0; i < MAX_BATCHES; i++) {
      const due = await deps.prisma.voiceMessage.findMany({
        where: { organizationId: org.id, state: "stored", reviewedAt: { lt: cutoff } },
        select: { id: true, storageKey: true },
        orderBy: { reviewedAt: "asc" },
        take: BATCH,
      });
      for (const m of due) {
        const { count } = await deps.prisma.voiceMessage.updateMany({
          where: { id: m.id, state: "stored", reviewedAt: { lt: cutoff } },
          // A written comment (kind text) is erased like audio: its text goes with it.
          data: { state: "purged", audioPurgedAt: now, storageKey: null, text: null },
        });
        if (count === 0) continue;
        if (m.storageKey) await deleteAudio(deps, m.storageKey);
        purged++;
      }
      if (due.length < BATCH) break;
    }
    if (purged > 0) {
      await audit(deps.prisma, {
        organizationId: org.id,
        action: "retention.audio-purged",
        detail: { count: purged, reviewedBefore: cutoff.toISOString() },
      });
      deps.logger.info("voice-message audio purged after review", { organizationId: org.id, count: purged });
    }
    total += purged;
  }
  return total;
}

/**
 * Deletes completed calls older than retentionMonths; the database cascades
 * to their surveys, answers, survey events and voice messages. Audio files go
 * first so that no file outlives its row.
 */
export async function deleteExpiredCalls(deps: RetentionDeps): Promise<number> {
  const now = deps.now();
  let total = 0;
  for (const org of await organizations(deps)) {
    const cutoff = dataCutoff(now, org.settings.retentionMonths);
    let deleted = 0;
    for (let i = 0; i < MAX_BATCHES; i++) {
      const calls = await deps.prisma.completedCall.findMany({
        where: { organizationId: org.id, receivedAt: { lt: cutoff } },
        select: { id: true, survey: { select: { voiceMessage: { select: { storageKey: true } } } } },
        take: BATCH,
      });
      if (calls.length === 0) break;
      for (const c of calls) {
        const key = c.survey?.voiceMessage?.storageKey;
        if (key) await deleteAudio(deps, key);
      }
      deleted += (await deps.prisma.completedCall.deleteMany({ where: { id: { in: calls.map((c) => c.id) } } })).count;
      if (calls.length < BATCH) break;
    }
    if (deleted > 0) {
      await audit(deps.prisma, {
        organizationId: org.id,
        action: "retention.calls-deleted",
        detail: { count: deleted, receivedBefore: cutoff.toISOString() },
      });
      deps.logger.info("calls, surveys and answers past retention deleted", { organizationId: org.id, count: deleted });
    }
    total += deleted;
  }
  return total;
}

/** Forgets inbound SMS past INBOUND_SMS_RETENTION_DAYS (the table belongs to src/sms, which deletes). */
export async function forgetInboundSms(deps: RetentionDeps): Promise<number> {
  const before = inboundSmsCutoff(deps.now());
  const count = await purgeInboundSms(deps.prisma, before);
  if (count > 0)
    deps.logger.info("inbound SMS past retention forgotten", { count, receivedBefore: before.toISOString() });
  return count;
}

/** Nulls the caller hash of calls past the hash's lifetime (see rules.callerHashCutoff). */
export async function anonymiseCallerHashes(deps: RetentionDeps): Promise<number> {
  const now = deps.now();
  let total = 0;
  for (const org of await organizations(deps)) {
    const cutoff = callerHashCutoff(now, org.settings.repeatWindowDays);
    const { count } = await deps.prisma.completedCall.updateMany({
      where: { organizationId: org.id, receivedAt: { lt: cutoff }, callerHash: { not: null } },
      data: { callerHash: null },
    });
    if (count > 0) deps.logger.info("caller hashes anonymised", { organizationId: org.id, count });
    total += count;
  }
  return total;
}

/**
 * Safety net for the encrypted number, which survey/state erases on every
 * final transition: calls whose survey ended, never had one, or is stuck a day
 * past its expiry lose the ciphertext here.
 */
export async function eraseStaleCiphertexts(deps: RetentionDeps): Promise<number> {
  const stale = staleCiphertextCutoff(deps.now());
  const { count } = await deps.prisma.completedCall.updateMany({
    where: {
      callerNumberEnc: { not: null },
      OR: [
        { survey: { is: null }, receivedAt: { lt: stale } },
        // An ended survey whose SMS fallback is still due keeps its number until src/sms sends or gives up.
        {
          survey: {
            is: {
              state: { in: [...FINAL_STATES] },
              OR: [{ sms: { is: null } }, { sms: { is: { state: { notIn: ["due", "sending"] } } } }],
            },
          },
        },
        { survey: { is: { expiresAt: { lt: stale } } } },
      ],
    },
    data: { callerNumberEnc: null },
  });
  if (count > 0) deps.logger.warn("erased caller numbers left behind by ended or stuck surveys", { count });
  return count;
}

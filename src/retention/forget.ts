import { parsePhoneNumberFromString } from "libphonenumber-js";
import type { AppContext } from "../context.js";
import { audit } from "../audit/log.js";
import { AppError } from "../lib/errors.js";
import { z } from "zod";
import { sqlExecute, sqlRows, type Db } from "../lib/db.js";
import { maskPhone } from "../lib/logger.js";
import { scrubPhoneNumbers } from "../lib/scrub.js";
import { transition } from "../survey/state.js";
import { deleteTranscriptsOf } from "../transcription/retention.js";

export type ForgetDeps = Pick<AppContext, "prisma" | "storage" | "logger" | "now" | "numbers">;

export interface ForgetResult {
  calls: number;
  surveysCanceled: number;
  voiceMessages: number;
  /** "kept": the citizen asked never to be called, and the keyed hash is what keeps that promise. */
  optOut: "none" | "kept" | "removed";
}

/** E.164 from what an operator types (Swedish numbers without +46 are accepted). */
export function normaliseNumber(input: string): string {
  const p = parsePhoneNumberFromString(input.trim(), "SE");
  if (!p || !p.isValid()) {
    throw new AppError("validation_failed", "Invalid number: not a valid phone number", [
      { field: "number", message: "not a valid phone number" },
    ]);
  }
  return p.number;
}

// Every column that can hold text from outside, in every table: what the privacy
// scan (test/privacy-scan.test.ts) reads is what this erases.
const TEXT_COLUMNS_SQL = `
  SELECT table_name::text AS "table", column_name::text AS "column", data_type::text AS "type"
    FROM information_schema.columns
   WHERE table_schema = current_schema()
     AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')
     AND table_name <> '_prisma_migrations'
   ORDER BY table_name, column_name`;

const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;

/**
 * The national significant number's digits with up to three separators between
 * them: matches +46 70-174 06 05, 0701740605, 46701740605, (070) 174 06 05, ...
 */
function spellingPattern(nationalNumber: string, separators: string): string {
  return nationalNumber.split("").join(`${separators}{0,3}`);
}

/**
 * Masks the number wherever it was stored as text (an error message, an event's
 * detail written before numbers were scrubbed on the way in, a note). Returns
 * how many values changed. A full scan of every text column: forgetting is a
 * rare operator command, and only a scan of everything can promise everything.
 */
export async function scrubNumberFromTexts(db: Db, e164: string): Promise<number> {
  const nsn = parsePhoneNumberFromString(e164)?.nationalNumber ?? e164.replace(/\D/g, "");
  const sqlPattern = spellingPattern(nsn, "[-[:space:]().]");
  const jsPattern = new RegExp(spellingPattern(nsn, "[-\\s().]"), "g");
  const columns = await sqlRows(
    db,
    z.strictObject({ table: z.string(), column: z.string(), type: z.string() }),
    TEXT_COLUMNS_SQL,
  );
  let changed = 0;
  for (const c of columns) {
    const col = quoteIdent(c.column);
    const table = quoteIdent(c.table);
    const cast = c.type === "jsonb" || c.type === "json" ? c.type : "text";
    const rows = await sqlRows(
      db,
      z.strictObject({ id: z.string(), value: z.string() }),
      `SELECT ctid::text AS id, ${col}::text AS value FROM ${table} WHERE ${col}::text ~ $1`,
      [sqlPattern],
    );
    for (const r of rows) {
      // Every number in the value is masked; what the matcher keeps (an id that contains it) is starred out.
      const value = scrubPhoneNumbers(r.value).replace(jsPattern, (m) => m.replace(/\d/g, "*"));
      changed += await sqlExecute(db, `UPDATE ${table} SET ${col} = $1::${cast} WHERE ctid = $2::tid`, [value, r.id]);
    }
  }
  return changed;
}

/**
 * Anonymises one number on the citizen's request: its ciphertexts and hashes
 * are erased from every call that still carries them (older calls already
 * lost theirs and cannot be linked any more), a survey still waiting to call
 * it is canceled, and the audio of its voice messages is deleted (reviews
 * stay, without a link to the number). Answers stay: once the link is gone
 * they are anonymous. An opt-out stays unless `removeOptOut`: without its
 * hash the service would call the citizen again, which they asked it not to.
 * Finally the number is masked in every text column of every table (all
 * organizations: a masked number harms no one).
 */
export async function forgetNumber(
  deps: ForgetDeps,
  input: { number: string; organizationId?: string; removeOptOut?: boolean },
): Promise<ForgetResult> {
  const e164 = normaliseNumber(input.number);
  const hash = deps.numbers.hash(e164);
  const now = deps.now();
  const orgFilter = input.organizationId ? { organizationId: input.organizationId } : {};

  // In-flight calls carry the ciphertext; a hash may be missing on them, so compare numbers too.
  const withCiphertext = await deps.prisma.completedCall.findMany({
    where: { ...orgFilter, callerNumberEnc: { not: null } },
    select: { id: true, callerNumberEnc: true },
  });
  const byCiphertext = withCiphertext
    .filter((c) => {
      try {
        return deps.numbers.decrypt(c.callerNumberEnc!) === e164;
      } catch {
        return false;
      }
    })
    .map((c) => c.id);
  const calls = await deps.prisma.completedCall.findMany({
    where: { ...orgFilter, OR: [{ callerHash: hash }, { id: { in: byCiphertext } }] },
    select: {
      id: true,
      organizationId: true,
      survey: {
        select: { id: true, state: true, voiceMessage: { select: { id: true, state: true, storageKey: true } } },
      },
    },
  });

  const perOrg = new Map<string, ForgetResult>();
  const tally = (org: string) => {
    let r = perOrg.get(org);
    if (!r) perOrg.set(org, (r = { calls: 0, surveysCanceled: 0, voiceMessages: 0, optOut: "none" }));
    return r;
  };
  for (const c of calls) {
    const t = tally(c.organizationId);
    await deps.prisma.$transaction(async (tx) => {
      if (c.survey?.state === "scheduled") {
        const canceled = await transition(tx, {
          surveyId: c.survey.id,
          from: "scheduled",
          to: "canceled",
          at: now,
          event: "number-forgotten",
        });
        if (canceled) t.surveysCanceled++;
      }
      await tx.completedCall.update({ where: { id: c.id }, data: { callerNumberEnc: null, callerHash: null } });
      const vm = c.survey?.voiceMessage;
      if (vm && vm.state !== "purged") {
        await tx.voiceMessage.update({
          where: { id: vm.id },
          // A recording not yet downloaded is never fetched now.
          data:
            vm.state === "pending"
              ? { state: "discarded", lastError: "number forgotten on request", nextDownloadAt: null }
              : { state: "purged", audioPurgedAt: now, storageKey: null, text: null },
        });
        t.voiceMessages++;
      }
      if (vm) await deleteTranscriptsOf(tx, [vm.id]);
    });
    if (c.survey?.voiceMessage?.storageKey) await deps.storage.delete(c.survey.voiceMessage.storageKey);
    t.calls++;
  }

  const optOuts = await deps.prisma.optOut.findMany({
    where: { ...orgFilter, numberHash: hash },
    select: { id: true, organizationId: true },
  });
  for (const o of optOuts) {
    if (input.removeOptOut) await deps.prisma.optOut.delete({ where: { id: o.id } });
    tally(o.organizationId).optOut = input.removeOptOut ? "removed" : "kept";
  }

  const texts = await scrubNumberFromTexts(deps.prisma, e164);

  for (const [organizationId, r] of perOrg) {
    await audit(deps.prisma, { organizationId, action: "number.forgotten", targetType: "number", detail: { ...r } });
  }
  const total: ForgetResult = { calls: 0, surveysCanceled: 0, voiceMessages: 0, optOut: "none" };
  for (const r of perOrg.values()) {
    total.calls += r.calls;
    total.surveysCanceled += r.surveysCanceled;
    total.voiceMessages += r.voiceMessages;
    if (r.optOut !== "none") total.optOut = r.optOut;
  }
  deps.logger.info("number forgotten on request", { number: maskPhone(e164), ...total, texts });
  return total;
}

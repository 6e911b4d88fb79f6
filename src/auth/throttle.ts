import { createHash } from "node:crypto";
import { z } from "zod";
import { sqlExecute, sqlRows, type Db } from "../lib/db.js";
import {
  delayAfterFailures,
  KNOWN_ADDRESS_MS,
  SIGN_IN_POLICY,
  verdict,
  type ThrottleScope,
  type ThrottleVerdict,
} from "./throttle-rules.js";

/**
 * Sign-in counters in the database (table SignInThrottle), so every instance
 * enforces the same limits and a restart forgets nothing. The rules are in
 * throttle-rules.ts; this file only reads and writes the counters.
 */
export interface SignInAttempt {
  /** Lower-cased, trimmed e-mail as typed (also when it is no valid address). */
  email: string;
  /** The client's address as Express resolved it under TRUST_PROXY. */
  ip: string;
  now: Date;
}

/** After this long without a failure a scope's count starts again. */
const FAILURE_MEMORY_MS = 60 * 60_000;

const keyOf = (scope: ThrottleScope, value: string) =>
  `${scope}:${createHash("sha256").update(`${scope}\0${value}`).digest("hex")}`;

function keys(a: SignInAttempt): { scope: ThrottleScope; key: string }[] {
  return [
    { scope: "pair", key: keyOf("pair", `${a.email}\0${a.ip}`) },
    { scope: "address", key: keyOf("address", a.ip) },
    { scope: "account", key: keyOf("account", a.email) },
  ];
}

/** Whether this attempt may be checked at all, or must wait (and how long). */
export async function checkSignIn(db: Db, a: SignInAttempt): Promise<ThrottleVerdict> {
  const ks = keys(a);
  const rows = await sqlRows(
    db,
    z.strictObject({ key: z.string(), blockedUntil: z.date().nullable(), lastSuccessAt: z.date().nullable() }),
    `SELECT key, "blockedUntil", "lastSuccessAt" FROM "SignInThrottle" WHERE key = ANY($1::text[])`,
    [ks.map((k) => k.key)],
  );
  return verdict(
    rows.map((r) => ({
      scope: ks.find((k) => k.key === r.key)!.scope,
      blockedUntil: r.blockedUntil ? new Date(r.blockedUntil) : null,
      lastSuccessAt: r.lastSuccessAt ? new Date(r.lastSuccessAt) : null,
    })),
    a.now,
  );
}

/**
 * Counts a failed attempt in all three scopes (one atomic increment each, so
 * concurrent failures on several instances are all counted), then sets the
 * delays the new counts call for.
 */
export async function recordFailure(db: Db, a: SignInAttempt): Promise<void> {
  const ks = keys(a);
  const counted = await sqlRows(
    db,
    z.strictObject({ key: z.string(), failures: z.number() }),
    `INSERT INTO "SignInThrottle" (key, failures, "lastFailureAt", "updatedAt")
     SELECT k, 1, $2, $2 FROM unnest($1::text[]) AS k
     ON CONFLICT (key) DO UPDATE SET
       failures = CASE WHEN "SignInThrottle"."lastFailureAt" IS NULL
                         OR "SignInThrottle"."lastFailureAt" < $2::timestamptz - $3 * interval '1 millisecond'
                       THEN 1 ELSE "SignInThrottle".failures + 1 END,
       "lastFailureAt" = $2, "updatedAt" = $2
     RETURNING key, failures`,
    [ks.map((k) => k.key), a.now, FAILURE_MEMORY_MS],
  );
  const blocks = counted
    .map((r) => ({
      key: r.key,
      ms: delayAfterFailures(r.failures, SIGN_IN_POLICY[ks.find((k) => k.key === r.key)!.scope]),
    }))
    .filter((b) => b.ms > 0);
  if (blocks.length === 0) return;
  await sqlExecute(
    db,
    `UPDATE "SignInThrottle" t SET "blockedUntil" = GREATEST(COALESCE(t."blockedUntil", b.until), b.until)
     FROM unnest($1::text[], $2::timestamptz[]) AS b(key, until) WHERE t.key = b.key`,
    [blocks.map((b) => b.key), blocks.map((b) => new Date(a.now.getTime() + b.ms).toISOString())],
  );
}

/**
 * A success clears the pair (the person got it right) and remembers the address
 * as known for this account; the address and account counts are left alone,
 * since a success says nothing about other people's attempts.
 */
export async function recordSuccess(db: Db, a: SignInAttempt): Promise<void> {
  const [pair] = keys(a);
  await sqlExecute(
    db,
    `INSERT INTO "SignInThrottle" (key, failures, "lastSuccessAt", "updatedAt") VALUES ($1, 0, $2, $2)
     ON CONFLICT (key) DO UPDATE SET failures = 0, "lastFailureAt" = NULL, "blockedUntil" = NULL,
       "lastSuccessAt" = $2, "updatedAt" = $2`,
    [pair.key, a.now],
  );
}

/** Forgets counters nobody needs any more (run with the session purge). */
export async function purgeSignInThrottle(db: Db, now: Date): Promise<number> {
  return sqlExecute(
    db,
    `DELETE FROM "SignInThrottle"
     WHERE ("blockedUntil" IS NULL OR "blockedUntil" < $1)
       AND (("lastSuccessAt" IS NULL AND "updatedAt" < $1::timestamptz - $2 * interval '1 millisecond')
            OR "updatedAt" < $1::timestamptz - $3 * interval '1 millisecond')`,
    [now, FAILURE_MEMORY_MS, KNOWN_ADDRESS_MS],
  );
}

/**
 * Sign-in limits as pure rules: how long an attempt must wait, given the
 * failures counted so far. Only failures count, so an office of forty people
 * behind one address signing in at shift start is never slowed down.
 *
 * - pair (account × address): the guessing limit. A few free failures (typos),
 *   then growing delays. A success clears it.
 * - address (all accounts from one address): spraying many accounts from one
 *   place. High, because a whole office shares one address.
 * - account (all addresses): guessing one account from many addresses. High,
 *   short delays and never a lock, and it does not apply from an address that
 *   signed in to this account recently: someone who knows a colleague's e-mail
 *   cannot keep the colleague out.
 */
export type ThrottleScope = "pair" | "address" | "account";

export interface ScopePolicy {
  /** Failures allowed before the first delay. */
  free: number;
  /** The first delay; each further failure doubles it. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** The count starts again after this long without a failure. */
  resetAfterMs: number;
}

const MINUTE = 60_000;

export const SIGN_IN_POLICY: Record<ThrottleScope, ScopePolicy> = {
  pair: { free: 5, firstDelayMs: 30_000, maxDelayMs: 15 * MINUTE, resetAfterMs: 60 * MINUTE },
  address: { free: 100, firstDelayMs: 30_000, maxDelayMs: 15 * MINUTE, resetAfterMs: 60 * MINUTE },
  account: { free: 20, firstDelayMs: 5_000, maxDelayMs: MINUTE, resetAfterMs: 60 * MINUTE },
};

/** An address that signed in to the account this recently is exempt from the account-wide delay. */
export const KNOWN_ADDRESS_MS = 30 * 24 * 60 * MINUTE;

/** The delay imposed after the `failures`-th failure in a row (0 while within the free allowance). */
export function delayAfterFailures(failures: number, policy: ScopePolicy): number {
  const over = failures - policy.free;
  if (over < 0) return 0;
  // 2^over overflows to Infinity long before it matters; min() caps it.
  return Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** over);
}

export interface ThrottleRow {
  scope: ThrottleScope;
  blockedUntil: Date | null;
  lastSuccessAt: Date | null;
}

export interface ThrottleVerdict {
  allowed: boolean;
  /** The scope that refused, when refused. */
  scope?: ThrottleScope;
  retryAfterSeconds?: number;
}

/**
 * Whether an attempt may be checked now. The account-wide delay is skipped
 * when this address signed in to the account within KNOWN_ADDRESS_MS.
 */
export function verdict(rows: ThrottleRow[], now: Date): ThrottleVerdict {
  const pair = rows.find((r) => r.scope === "pair");
  const knownAddress = !!pair?.lastSuccessAt && now.getTime() - pair.lastSuccessAt.getTime() < KNOWN_ADDRESS_MS;
  let refusal: ThrottleVerdict = { allowed: true };
  for (const r of rows) {
    if (!r.blockedUntil || r.blockedUntil <= now) continue;
    if (r.scope === "account" && knownAddress) continue;
    const seconds = Math.ceil((r.blockedUntil.getTime() - now.getTime()) / 1000);
    if (!refusal.retryAfterSeconds || seconds > refusal.retryAfterSeconds)
      refusal = { allowed: false, scope: r.scope, retryAfterSeconds: seconds };
  }
  return refusal;
}

import { hash, verify, type Options } from "@node-rs/argon2";

// Argon2id with OWASP's baseline (19 MiB, t=2, p=1). The library's Algorithm
// enum is `const`, which isolatedModules cannot inline, hence the literal 2.
const ARGON2ID: Options = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const MIN_PASSWORD_LENGTH = 12;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2ID);
}

let dummy: Promise<string> | null = null;

/**
 * Verifies a password against a stored hash. With no hash (unknown account,
 * OIDC-only account) it still spends the time of one verification, so the
 * response time does not reveal which e-mail addresses have accounts.
 */
export async function verifyPassword(stored: string | null | undefined, password: string): Promise<boolean> {
  if (!stored) {
    dummy ??= hashPassword("not-a-real-password-0000");
    await verify(await dummy, password).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false);
}

/**
 * Seeds an organization with `count` surveys all due now, for the benchmarks
 * that run dispatchers against a fake Twilio (bench/dispatch.ts, bench/chaos.ts).
 * Numbers are invented (+4670 1 000 000 + i) and stored as the service stores
 * them: encrypted with a fresh key, which the caller passes to its instances.
 */
import { randomBytes } from "node:crypto";
import { createNumberCrypto } from "../src/lib/crypto.js";
import type { Db } from "../src/lib/db.js";
import { ensureAgent, ensureGroup, ensureOrganization } from "../src/organizations/service.js";

export async function seedDueSurveys(
  db: Db,
  o: { slug: string; name: string; count: number; externalPrefix: string },
): Promise<{ numberKey: Buffer }> {
  const numberKey = randomBytes(32);
  const numbers = createNumberCrypto(numberKey);
  const org = await ensureOrganization(db, {
    slug: o.slug,
    name: o.name,
    timeZone: "Europe/Stockholm",
    settings: { callingHours: "always", skipPublicHolidays: false },
  });
  const group = await ensureGroup(db, org.id, "val-1", "Val 1");
  const agent = await ensureAgent(db, org.id, "agent-1", "Benchagent");
  const now = new Date();
  for (let start = 0; start < o.count; start += 1000) {
    const batch = Array.from({ length: Math.min(1000, o.count - start) }, (_, k) => ({
      id: crypto.randomUUID(),
      i: start + k,
      number: `+4670${String(1_000_000 + start + k)}`,
    }));
    await db.completedCall.createMany({
      data: batch.map((b) => ({
        id: b.id,
        organizationId: org.id,
        externalCallId: `${o.externalPrefix}-${b.i}`,
        callerNumberEnc: new Uint8Array(numbers.encrypt(b.number)),
        callerHash: numbers.hash(b.number),
        agentId: agent.id,
        groupId: group.id,
        queueSeconds: 30,
        talkSeconds: 100,
        startedAt: now,
        endedAt: now,
        decision: "scheduled",
      })),
    });
    await db.surveyCall.createMany({
      data: batch.map((b) => ({
        organizationId: org.id,
        completedCallId: b.id,
        groupId: group.id,
        agentId: agent.id,
        nextAttemptAt: new Date(now.getTime() - 60_000 + b.i),
        expiresAt: new Date(now.getTime() + 6 * 3600_000),
        flowId: "nki-sv",
      })),
    });
  }
  return { numberKey };
}

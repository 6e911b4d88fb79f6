import { randomBytes, randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import type { Prisma } from "../src/lib/db.js";
import type { RecordingStorage } from "../src/recordings/storage.js";
import { ensureAgent, ensureGroup } from "../src/organizations/service.js";

/** Invented test data for the listening queue: a call, its survey, answers and a voice message. */
export async function createVoiceMessage(
  prisma: Prisma,
  o: {
    organizationId: string;
    recordedAt: Date | string;
    groupKey?: string;
    agentExternalId?: string;
    scores?: Record<string, number>;
    storage?: RecordingStorage;
    audio?: Buffer;
    durationSeconds?: number;
    review?: { classification?: string; reviewedAt?: Date; registeredAt?: Date; caseReference?: string };
    callerHash?: string;
    callerNumberEnc?: Buffer;
  },
) {
  const recordedAt = new Date(o.recordedAt);
  const group = await ensureGroup(
    prisma,
    o.organizationId,
    o.groupKey ?? "val1",
    o.groupKey === "val2" ? "Val 2 – Skola" : "Val 1 – Socialt stöd",
  );
  const agent = await ensureAgent(
    prisma,
    o.organizationId,
    o.agentExternalId ?? "a-100",
    o.agentExternalId ? `Agent ${o.agentExternalId}` : "Agent Testsson",
  );
  const call = await prisma.completedCall.create({
    data: {
      organizationId: o.organizationId,
      externalCallId: randomUUID(),
      agentId: agent.id,
      groupId: group.id,
      queueSeconds: 30,
      talkSeconds: 120,
      startedAt: new Date(recordedAt.getTime() - 600_000),
      endedAt: new Date(recordedAt.getTime() - 300_000),
      receivedAt: new Date(recordedAt.getTime() - 300_000),
      decision: "scheduled",
      callerHash: o.callerHash ?? null,
      callerNumberEnc: o.callerNumberEnc ? new Uint8Array(o.callerNumberEnc) : null,
    },
  });
  const survey = await prisma.surveyCall.create({
    data: {
      organizationId: o.organizationId,
      completedCallId: call.id,
      groupId: group.id,
      agentId: agent.id,
      state: "completed",
      expiresAt: new Date(recordedAt.getTime() + 3_600_000),
      flowId: "nki-sv",
      flowVersion: "1",
      createdAt: new Date(recordedAt.getTime() - 300_000),
      endedAt: recordedAt,
    },
  });
  for (const [questionKey, score] of Object.entries(o.scores ?? { q1: 4, q2: 5 })) {
    await prisma.answer.create({
      data: {
        surveyId: survey.id,
        organizationId: o.organizationId,
        groupId: group.id,
        agentId: agent.id,
        flowId: "nki-sv",
        flowVersion: "1",
        questionKey,
        score,
        answeredAt: recordedAt,
      },
    });
  }
  let storageKey: string | null = null;
  let sizeBytes: number | null = null;
  if (o.storage) {
    storageKey = `${o.organizationId}/${survey.id}.wav`;
    sizeBytes = (await o.storage.put(storageKey, Readable.from([o.audio ?? randomBytes(4000)]), "audio/wav")).sizeBytes;
  }
  const vm = await prisma.voiceMessage.create({
    data: {
      surveyId: survey.id,
      organizationId: o.organizationId,
      groupId: group.id,
      agentId: agent.id,
      recordingSid: `RE${randomBytes(16).toString("hex")}`,
      state: "stored",
      storageKey: storageKey ?? `${o.organizationId}/${survey.id}.wav`,
      contentType: "audio/wav",
      durationSeconds: o.durationSeconds ?? 12,
      sizeBytes: sizeBytes ?? 4000,
      recordedAt,
      classification: o.review?.classification ?? null,
      reviewedAt: o.review?.reviewedAt ?? null,
      registeredAt: o.review?.registeredAt ?? null,
      caseReference: o.review?.caseReference ?? null,
    },
  });
  return { vm, survey, call, group, agent };
}

export async function createUser(
  prisma: Prisma,
  organizationId: string,
  role: "admin" | "manager" | "agent",
  agentId?: string,
) {
  return prisma.user.create({
    data: {
      organizationId,
      email: `${role}-${randomBytes(4).toString("hex")}@example.test`,
      name: `Test ${role}`,
      role,
      agentId: agentId ?? null,
    },
  });
}

/** A real PCM WAV (8 kHz, mono, 16-bit) with a soft tone, so a browser can play it. */
export function makeWav(seconds: number, hz = 440): Buffer {
  const rate = 8000;
  const n = Math.round(rate * seconds);
  const data = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) data.writeInt16LE(Math.round(Math.sin((2 * Math.PI * hz * i) / rate) * 6000), i * 2);
  const h = Buffer.alloc(44);
  h.write("RIFF", 0);
  h.writeUInt32LE(36 + data.length, 4);
  h.write("WAVE", 8);
  h.write("fmt ", 12);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write("data", 36);
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

/**
 * `count` more stored voice messages a minute apart after `of`, in its organization, group and
 * agent (no answers), the first `reviewed` of them reviewed, in recording order: one statement,
 * because a page of the queue made one by one outlasts a hook's timeout on PGlite on a loaded machine.
 */
export async function createVoiceMessageCopies(
  prisma: Prisma,
  of: { organizationId: string; groupId: string; agentId: string; recordedAt: Date },
  o: { count: number; reviewed?: number; durationSeconds?: number },
): Promise<{ id: string; recordedAt: Date }[]> {
  const rows = await prisma.$queryRawUnsafe<{ id: string; recordedAt: Date }[]>(
    `WITH s AS (
       SELECT g AS i, gen_random_uuid() AS cc, gen_random_uuid() AS sv, gen_random_uuid() AS vm,
              $1::timestamptz + g * interval '1 minute' AS at
         FROM generate_series(1, $2::int) g),
     c AS (INSERT INTO "CompletedCall" (id, "organizationId", "externalCallId", "agentId", "groupId", "queueSeconds",
              "talkSeconds", "startedAt", "endedAt", decision)
           SELECT cc, $3::uuid, 'copy-' || vm, $4::uuid, $5::uuid, 30, 120, at, at, 'scheduled' FROM s),
     v AS (INSERT INTO "SurveyCall" (id, "organizationId", "completedCallId", "groupId", "agentId", state, "expiresAt",
              "flowId", "flowVersion", "createdAt", "updatedAt")
           SELECT sv, $3::uuid, cc, $5::uuid, $4::uuid, 'completed', at, 'nki-sv', '1', at, at FROM s)
     INSERT INTO "VoiceMessage" (id, "surveyId", "organizationId", "groupId", "agentId", "recordingSid", state,
              "storageKey", "contentType", "durationSeconds", "recordedAt", "updatedAt", classification, "reviewedAt")
     SELECT vm, sv, $3::uuid, $5::uuid, $4::uuid, 'RE' || md5(vm::text), 'stored', 'k/' || vm, 'audio/wav', $7::int, at,
            at, CASE WHEN i <= $6::int THEN 'inget' END, CASE WHEN i <= $6::int THEN at END
       FROM s
     RETURNING id, "recordedAt"`,
    of.recordedAt,
    o.count,
    of.organizationId,
    of.agentId,
    of.groupId,
    o.reviewed ?? 0,
    o.durationSeconds ?? 12,
  );
  return rows.sort((a, b) => a.recordedAt.getTime() - b.recordedAt.getTime());
}

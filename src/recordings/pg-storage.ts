import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { z } from "zod";
import { sqlExecute, sqlRows, type Db } from "../lib/db.js";
import type { BlobStore } from "./storage.js";

/** Bytes per AudioChunk row: a Range read fetches only the rows it overlaps. */
export const PG_PART_BYTES = 64 * 1024;
/** Rows fetched per round trip while streaming: memory per playback stays at about this many parts. */
const ROWS_PER_FETCH = 4;
const BY_KEY = { prepare: true } as const;

/**
 * Audio in PostgreSQL (STORAGE=postgres, the default): every instance on the
 * database sees the same messages, and one backup holds everything. An upload
 * writes its parts under a fresh object id, then one statement points the key
 * at it and drops the parts of the object it replaces, so a reader never sees
 * half an object. Tables AudioObject and AudioChunk are owned here.
 */
export function createPostgresBlobStore(db: Db): BlobStore {
  async function lookup(key: string): Promise<{ objectId: string; sizeBytes: number } | null> {
    const rows = await sqlRows(
      db,
      z.strictObject({ objectId: z.string(), sizeBytes: z.number() }),
      `SELECT "objectId", "sizeBytes" FROM "AudioObject" WHERE key = $1::text`,
      [key],
      BY_KEY,
    );
    return rows[0] ?? null;
  }
  async function dropParts(objectId: string) {
    await sqlExecute(db, `DELETE FROM "AudioChunk" WHERE "objectId" = $1::uuid`, [objectId], BY_KEY);
  }
  return {
    kind: "postgres",
    async put(key, body) {
      const objectId = randomUUID();
      let idx = 0;
      let size = 0;
      let pending: Buffer = Buffer.alloc(0);
      const write = async (part: Buffer) => {
        await sqlExecute(
          db,
          `INSERT INTO "AudioChunk" ("objectId", idx, data) VALUES ($1::uuid, $2::int, $3::bytea)`,
          [objectId, idx++, part],
          BY_KEY,
        );
      };
      try {
        for await (const p of body as AsyncIterable<Buffer>) {
          pending = pending.length ? Buffer.concat([pending, p]) : p;
          size += p.length;
          while (pending.length >= PG_PART_BYTES) {
            await write(pending.subarray(0, PG_PART_BYTES));
            pending = pending.subarray(PG_PART_BYTES);
          }
        }
        if (pending.length) await write(pending);
        await sqlExecute(
          db,
          `WITH old AS (SELECT "objectId" FROM "AudioObject" WHERE key = $1::text FOR UPDATE),
           up AS (
             INSERT INTO "AudioObject" (key, "objectId", "sizeBytes", "createdAt") VALUES ($1::text, $2::uuid, $3::int, now())
             ON CONFLICT (key) DO UPDATE SET "objectId" = EXCLUDED."objectId", "sizeBytes" = EXCLUDED."sizeBytes", "createdAt" = now()
           )
           DELETE FROM "AudioChunk" WHERE "objectId" IN (SELECT "objectId" FROM old)`,
          [key, objectId, size],
        );
      } catch (err) {
        await dropParts(objectId).catch(() => undefined);
        throw err;
      }
      return { sizeBytes: size };
    },
    async get(key, range) {
      const o = await lookup(key);
      if (!o) throw new Error(`no stored object ${key}`);
      const start = range?.start ?? 0;
      const end = Math.min(range?.end ?? o.sizeBytes - 1, o.sizeBytes - 1);
      async function* parts() {
        const last = Math.floor(end / PG_PART_BYTES);
        for (let from = Math.floor(start / PG_PART_BYTES); from <= last && end >= start; from += ROWS_PER_FETCH) {
          const to = Math.min(last, from + ROWS_PER_FETCH - 1);
          const rows = await sqlRows(
            db,
            z.strictObject({ idx: z.number(), data: z.instanceof(Buffer) }),
            `SELECT idx, data FROM "AudioChunk" WHERE "objectId" = $1::uuid AND idx BETWEEN $2::int AND $3::int ORDER BY idx`,
            [o!.objectId, from, to],
            BY_KEY,
          );
          if (rows.length !== to - from + 1) throw new Error(`stored object ${key} changed or lost parts while read`);
          for (const r of rows) {
            const at = r.idx * PG_PART_BYTES;
            yield r.data.subarray(Math.max(0, start - at), Math.min(r.data.length, end - at + 1));
          }
        }
      }
      return Readable.from(parts(), { highWaterMark: 1 });
    },
    async size(key) {
      return (await lookup(key))?.sizeBytes ?? null;
    },
    async delete(key) {
      await sqlExecute(
        db,
        `WITH o AS (DELETE FROM "AudioObject" WHERE key = $1::text RETURNING "objectId")
         DELETE FROM "AudioChunk" WHERE "objectId" IN (SELECT "objectId" FROM o)`,
        [key],
      );
    },
    async *list() {
      let after = "";
      for (;;) {
        const rows = await sqlRows(
          db,
          z.strictObject({ key: z.string() }),
          `SELECT key FROM "AudioObject" WHERE key > $1::text ORDER BY key LIMIT 500`,
          [after],
        );
        for (const r of rows) yield r.key;
        if (rows.length < 500) return;
        after = rows[rows.length - 1].key;
      }
    },
  };
}

/**
 * Parts of an upload that never finished: the instance died between writing
 * parts and pointing a key at them (put's own failure path drops them, a
 * killed process cannot). No AudioObject names them, so nothing can read them.
 * An upload in flight looks the same for a few seconds, so a part set is
 * deleted only when it was already an orphan at the previous sweep (an hour
 * earlier): `previous` carries those ids from one sweep to the next.
 */
export async function sweepOrphanAudioParts(
  db: Db,
  previous: ReadonlySet<string>,
): Promise<{ deleted: number; suspects: Set<string> }> {
  const rows = await sqlRows(
    db,
    z.strictObject({ objectId: z.string() }),
    `SELECT DISTINCT c."objectId"::text AS "objectId" FROM "AudioChunk" c
      WHERE NOT EXISTS (SELECT 1 FROM "AudioObject" o WHERE o."objectId" = c."objectId")`,
    [],
  );
  const suspects = new Set<string>();
  const doomed: string[] = [];
  for (const { objectId } of rows) {
    if (previous.has(objectId)) doomed.push(objectId);
    else suspects.add(objectId);
  }
  let deleted = 0;
  if (doomed.length) {
    // Re-checked in the statement: a part set that got its object meanwhile is kept.
    deleted = await sqlExecute(
      db,
      `DELETE FROM "AudioChunk" c WHERE c."objectId" = ANY($1::uuid[])
         AND NOT EXISTS (SELECT 1 FROM "AudioObject" o WHERE o."objectId" = c."objectId")`,
      [doomed],
    );
  }
  return { deleted, suspects };
}

import { z } from "zod";
import { canonicalJson } from "../survey/flows.js";
import { signText, verifyText, type ExchangeKeys } from "./keys.js";

/**
 * The exchange document: one municipality's kundcenter aggregates per month
 * and question (n, sum, sum of squares, answers of 4–5), and opted-in group
 * categories; never agents, never a group under its own name. The payload is
 * signed as canonical JSON, so the same document verifies however it was
 * re-serialised on the way (HTTP, a file on a USB stick).
 */
export const EXCHANGE_FORMAT = "nki-exchange/1";
/** Months published: as long as answers are kept (retention's default 25 months). */
export const PUBLISHED_MONTHS = 25;

const key = z.string().regex(/^[a-z0-9_-]{1,40}$/, "lowercase letters, digits, - and _ only");

export const figureSchema = z
  .object({
    scope: z.union([z.literal("kundcenter"), z.string().regex(/^group:[a-z0-9_-]{1,40}$/)]),
    month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "expected YYYY-MM"),
    questionKey: key,
    n: z.number().int().min(1).max(10_000_000),
    sum: z.number().int().min(0),
    sumSq: z.number().int().min(0),
    top2: z.number().int().min(0),
  })
  // The numbers must be possible for scores 1–5: a garbled figure never enters a pool.
  .refine((f) => f.sum >= f.n && f.sum <= 5 * f.n, { message: "sum outside n..5n", path: ["sum"] })
  .refine((f) => f.sumSq >= f.sum && f.sumSq <= 25 * f.n && f.sumSq * f.n >= f.sum * f.sum, {
    message: "sumSq impossible for scores 1–5",
    path: ["sumSq"],
  })
  .refine((f) => f.top2 <= f.n, { message: "top2 above n", path: ["top2"] });

export const payloadSchema = z.object({
  format: z.literal(EXCHANGE_FORMAT),
  municipality: z.string().min(1).max(120),
  publishedAt: z.iso.datetime({ offset: true }),
  /** The question keys of the publisher's survey flow, sorted: figures pool only with the same set. */
  flowKeys: z.array(key).min(1).max(30),
  figures: z.array(figureSchema).max(100_000),
});
export type ExchangePayload = z.infer<typeof payloadSchema>;
export type ExchangeFigureData = z.infer<typeof figureSchema>;

export const signedDocumentSchema = z.object({
  payload: z.unknown(),
  /** Ed25519 over canonicalJson(payload), base64. */
  signature: z.string().min(1).max(200),
  /** The signer's public key, for information: peers verify with the key they registered. */
  publicKey: z.string().max(200).optional(),
});
export type SignedDocument = z.infer<typeof signedDocumentSchema>;

export function signPayload(payload: ExchangePayload, keys: ExchangeKeys): SignedDocument {
  return { payload, signature: signText(keys, canonicalJson(payload)), publicKey: keys.publicKey };
}

export class ExchangeDocumentError extends Error {}

/** Parses, verifies against the registered key and validates a document; throws ExchangeDocumentError saying why. */
export function openDocument(raw: unknown, publicKey: string): ExchangePayload {
  const doc = signedDocumentSchema.safeParse(raw);
  if (!doc.success) throw new ExchangeDocumentError("not an exchange document (payload and signature expected)");
  if (!verifyText(publicKey, canonicalJson(doc.data.payload), doc.data.signature))
    throw new ExchangeDocumentError("signature does not verify with the peer's registered key");
  const payload = payloadSchema.safeParse(doc.data.payload);
  if (!payload.success) {
    const first = payload.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join(".")}: ${i.message}`)
      .join("; ");
    throw new ExchangeDocumentError(`invalid exchange document: ${first}`);
  }
  return payload.data;
}

import { createHash, timingSafeEqual } from "node:crypto";
import path from "node:path";
import type { AppContext } from "../context.js";
import type { Prisma } from "../lib/db.js";
import { AppError } from "../lib/errors.js";
import type { Logger } from "../lib/logger.js";
import { orgSettingsSchema } from "../organizations/settings.js";
import type { FlowRegistry } from "../survey/flows.js";
import { EXCHANGE_FORMAT, openDocument, PUBLISHED_MONTHS, signPayload, type SignedDocument } from "./document.js";
import { assertPublicKey, loadExchangeKeys, type ExchangeKeys } from "./keys.js";
import {
  findPeer,
  listPeers,
  publishableFigures,
  recordPull,
  replaceFigures,
  upsertPeer,
  type PeerRow,
} from "./repository.js";

/** Outbound pulls: each peer's whole request, and how many run at once. */
export const PULL_CONCURRENCY = 8;
/** A document larger than this is refused unread (25 months × 7 questions × a few scopes is ~100 kB). */
const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

const keysByDir = new Map<string, ExchangeKeys>();
/** The installation's signing keys (config, or generated once into DATA_DIR/keys). */
export function exchangeKeys(config: AppContext["config"]): ExchangeKeys {
  const dir = path.resolve(config.DATA_DIR);
  const cacheKey = `${config.EXCHANGE_SIGNING_KEY ?? ""}|${dir}`;
  let keys = keysByDir.get(cacheKey);
  if (!keys) keysByDir.set(cacheKey, (keys = loadExchangeKeys(config.EXCHANGE_SIGNING_KEY, dir)));
  return keys;
}

/** The sorted question keys of the organization's default flow: what figures must match to be pooled. */
export function flowKeysOf(flows: FlowRegistry, settings: unknown): string {
  const flowId = orgSettingsSchema.parse(settings ?? {}).flows.default ?? "nki-sv";
  return flows
    .getFlow(flowId)
    .questions.map((q) => q.key)
    .sort()
    .join(",");
}

/** The signed document of one organization's kundcenter (and opted-in group categories). */
export async function buildDocument(
  deps: { prisma: Prisma; flows: FlowRegistry; config: AppContext["config"]; now: () => Date },
  organizationSlug: string,
): Promise<SignedDocument> {
  const org = await deps.prisma.organization.findUnique({ where: { slug: organizationSlug } });
  if (!org) throw new AppError("not_found", `No organization ${organizationSlug}`);
  const settings = orgSettingsSchema.parse(org.settings);
  const now = deps.now();
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - PUBLISHED_MONTHS + 1, 1));
  const figures = await publishableFigures(deps.prisma, {
    organizationId: org.id,
    fromMonth: from.toISOString().slice(0, 10),
    groupCategories: settings.exchangeGroupCategories,
  });
  return signPayload(
    {
      format: EXCHANGE_FORMAT,
      municipality: org.name,
      publishedAt: now.toISOString(),
      flowKeys: flowKeysOf(deps.flows, org.settings).split(","),
      figures,
    },
    exchangeKeys(deps.config),
  );
}

/** Constant-time check of the bearer key peers read this installation's document with. */
export function checkPublishToken(configured: string | undefined, header: string | undefined): void {
  if (!configured) throw new AppError("not_found", "This installation does not publish to the benchmark exchange");
  const given = /^Bearer (.+)$/.exec(header ?? "")?.[1] ?? "";
  const digest = (s: string) => createHash("sha256").update(s).digest();
  if (!timingSafeEqual(digest(given), digest(configured)))
    throw new AppError("unauthorized", "A valid exchange key is required");
}

export interface PeerInput {
  name: string;
  url?: string | null;
  token?: string | null;
  publicKey: string;
}

export async function addPeer(prisma: Prisma, input: PeerInput): Promise<PeerRow> {
  const details = [];
  if (!/^[\p{L}\p{N} ._-]{1,80}$/u.test(input.name))
    details.push({ field: "name", message: "1–80 letters, digits, space, . _ -" });
  if (input.url && !/^https?:\/\/\S+$/.test(input.url))
    details.push({ field: "url", message: "expected an http(s) URL" });
  try {
    assertPublicKey(input.publicKey);
  } catch {
    details.push({ field: "publicKey", message: "expected an Ed25519 public key (SPKI DER, base64)" });
  }
  if (details.length) throw new AppError("validation_failed", "Invalid peer", details);
  return upsertPeer(prisma, {
    name: input.name,
    url: input.url ?? null,
    token: input.token ?? null,
    publicKey: input.publicKey,
  });
}

/** Stores a document from a file handed over out of band; verified with the named peer's registered key. */
export async function importPeerFile(prisma: Prisma, peerName: string, raw: unknown, now: Date): Promise<number> {
  const peer = await findPeer(prisma, peerName);
  if (!peer) throw new AppError("not_found", `No exchange peer named ${peerName} (add it with its key first)`);
  let doc;
  try {
    doc = openDocument(raw, peer.publicKey);
  } catch (err) {
    throw new AppError("validation_failed", (err as Error).message, [
      { field: "file", message: (err as Error).message },
    ]);
  }
  const stored = await prisma.$transaction((tx) => replaceFigures(tx, peer.id, doc, "file", now));
  await recordPull(prisma, peer.id, now, null);
  return stored;
}

export interface PullOutcome {
  peer: string;
  ok: boolean;
  figures?: number;
  error?: string;
}

export interface PullDeps {
  prisma: Prisma;
  now: () => Date;
  logger: Logger;
  /**
   * The signal that ends one peer's request after timeoutMs: AbortSignal.timeout
   * unless a test injects its own (aborted with a TimeoutError when it decides the
   * time is up), so no test waits out a real timeout.
   */
  pullTimeout?: (peer: PeerRow, timeoutMs: number) => AbortSignal;
}

/**
 * Pulls one peer's document with a timeout, verifies and validates it, and
 * replaces its stored figures. A peer that is down, slow or sends anything
 * but a valid document signed with its key keeps its earlier figures; the
 * error is kept on the peer for `peer list`.
 */
export async function pullPeer(deps: PullDeps, peer: PeerRow, timeoutMs: number): Promise<PullOutcome> {
  if (!peer.url) return { peer: peer.name, ok: true, figures: 0 };
  const log = deps.logger.child({ component: "exchange", peer: peer.name });
  try {
    const res = await fetch(peer.url, {
      headers: { accept: "application/json", ...(peer.token ? { authorization: `Bearer ${peer.token}` } : {}) },
      signal: deps.pullTimeout?.(peer, timeoutMs) ?? AbortSignal.timeout(timeoutMs),
      redirect: "error",
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const text = await res.text();
    if (text.length > MAX_DOCUMENT_BYTES) throw new Error("document too large");
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new Error("response is not JSON");
    }
    const doc = openDocument(raw, peer.publicKey);
    const at = deps.now();
    const figures = await deps.prisma.$transaction((tx) => replaceFigures(tx, peer.id, doc, "pull", at));
    await recordPull(deps.prisma, peer.id, at, null);
    log.info("exchange figures pulled", { figures, municipality: doc.municipality });
    return { peer: peer.name, ok: true, figures };
  } catch (err) {
    const error =
      err instanceof Error
        ? err.name === "TimeoutError"
          ? `timed out after ${timeoutMs} ms`
          : err.message
        : String(err);
    await recordPull(deps.prisma, peer.id, deps.now(), error);
    log.warn("exchange pull failed; earlier figures kept", { error });
    return { peer: peer.name, ok: false, error };
  }
}

/** Pulls every peer with a URL, PULL_CONCURRENCY at a time. */
export async function pullAllPeers(deps: PullDeps, timeoutMs: number): Promise<PullOutcome[]> {
  const peers = (await listPeers(deps.prisma)).filter((p) => p.url);
  const out: PullOutcome[] = [];
  let next = 0;
  const worker = async () => {
    while (next < peers.length) {
      const peer = peers[next++];
      out.push(await pullPeer(deps, peer, timeoutMs));
    }
  };
  await Promise.all(Array.from({ length: Math.min(PULL_CONCURRENCY, peers.length) }, worker));
  return out;
}

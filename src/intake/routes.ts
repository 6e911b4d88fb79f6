import express, { Router, type RequestHandler } from "express";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { AppError, parseOrThrow } from "../lib/errors.js";
import { errorBodySchema, openApiRegistry } from "../lib/openapi.js";
import { authenticateApiKey } from "./api-keys.js";
import { findCallStatus, dueFromEvents } from "./repository.js";
import {
  batchResultSchema,
  batchSchema,
  callStatusSchema,
  completedCallSchema,
  decisionSchema,
  MAX_BATCH,
  MAX_ID,
  storableText,
} from "./schema.js";
import { ingestCalls, type IntakeResult } from "./service.js";

declare module "express-serve-static-core" {
  interface Request {
    /** Set by the intake API key check. */
    organizationId?: string;
  }
}

const envelopeSchema = z.object({
  calls: z.array(z.unknown()).min(1, "at least one call").max(MAX_BATCH, `at most ${MAX_BATCH} calls per request`),
});

const decisionBody = (r: Extract<IntakeResult, { ok: true }>) => ({
  externalCallId: r.externalCallId,
  decision: r.decision,
  reason: r.reason,
  dueAt: r.dueAt?.toISOString() ?? null,
  duplicate: r.duplicate,
});

/** A row's field in the batch: calls.3.startedAt, or calls.3 when the row itself is wrong. */
const rowField = (index: number, field: string | undefined) =>
  !field || field === "(body)" ? `calls.${index}` : `calls.${index}.${field}`;

export function intakeRouter(ctx: AppContext): Router {
  const router = Router();

  const requireApiKey: RequestHandler = async (req, _res, next) => {
    req.organizationId = (await authenticateApiKey(ctx.prisma, req.get("authorization"), ctx.now())).organizationId;
    next();
  };
  const requireJson: RequestHandler = (req, _res, next) => {
    next(
      req.is("application/json")
        ? undefined
        : new AppError("unsupported_media_type", "Send the body as application/json"),
    );
  };
  const parseJson = express.json({ limit: "1mb", strict: true });

  router.post("/calls/completed", requireApiKey, requireJson, parseJson, async (req, res) => {
    const body: unknown = req.body;
    const organizationId = req.organizationId!;
    if (body && typeof body === "object" && !Array.isArray(body) && "calls" in body) {
      const { calls } = parseOrThrow(envelopeSchema, body, "batch");
      const results = await ingestCalls(ctx, organizationId, calls);
      const rejected = results.filter((r) => !r.ok).length;
      req.log.info("calls received", { calls: calls.length, rejected });
      // 200 even with rejected rows: the request was understood and every valid row stored; the rows say which failed.
      res.status(200).json({
        accepted: results.length - rejected,
        rejected,
        results: results.map((r) =>
          r.ok
            ? { index: r.index, ...decisionBody(r) }
            : {
                index: r.index,
                externalCallId: r.externalCallId,
                error: {
                  code: "validation_failed",
                  message: r.details.map((d) => `${rowField(r.index, d.field)}: ${d.message}`).join("; "),
                  details: r.details.map((d) => ({ ...d, field: rowField(r.index, d.field) })),
                },
              },
        ),
      });
      return;
    }
    if (!body || typeof body !== "object" || Array.isArray(body)) {
      throw new AppError("validation_failed", 'Send one call object or { "calls": [...] }', [
        { field: "(body)", message: "expected an object" },
      ]);
    }
    const [result] = await ingestCalls(ctx, organizationId, [body]);
    if (!result.ok) {
      throw new AppError(
        "validation_failed",
        `Invalid call: ${result.details.map((d) => `${d.field}: ${d.message}`).join("; ")}`,
        result.details,
      );
    }
    res.status(200).json(decisionBody(result));
  });

  router.get("/calls/:externalCallId", requireApiKey, async (req, res) => {
    // An id intake would refuse cannot exist; checked here so it never reaches the database.
    const externalCallId = String(req.params.externalCallId);
    if (!storableText(externalCallId) || externalCallId.length > MAX_ID)
      throw new AppError("not_found", "No call with this externalCallId");
    const call = await findCallStatus(ctx.prisma, req.organizationId!, externalCallId);
    if (!call) throw new AppError("not_found", "No call with this externalCallId");
    const s = call.survey;
    res.json({
      externalCallId: call.externalCallId,
      decision: call.decision,
      reason: call.skipReason,
      dueAt: dueFromEvents(s?.events)?.toISOString() ?? null,
      survey: s
        ? {
            state: s.state,
            attempts: s.attempts,
            answers: s.answers.map((a) => ({
              questionKey: a.questionKey,
              score: a.score,
              answeredAt: a.answeredAt.toISOString(),
            })),
            // An empty recording (discarded) is no message to the citizen's interlocutors.
            voiceMessage:
              s.voiceMessage && s.voiceMessage.state !== "discarded"
                ? { durationSeconds: s.voiceMessage.durationSeconds }
                : null,
          }
        : null,
    });
  });

  return router;
}

const errors = (description: string) => ({ description, content: { "application/json": { schema: errorBodySchema } } });

openApiRegistry.registerPath({
  method: "post",
  path: "/api/v1/calls/completed",
  summary: "Report completed calls; each gets a survey decision",
  description:
    "One call object, or `{ calls: [...] }` with up to 1,000. Idempotent on externalCallId: a resent call returns its first decision. " +
    "In a batch, valid rows are stored and invalid ones reported with their index and field (status 200, `rejected` counts them; " +
    "each rejected row's `error.details[].field` is e.g. `calls.3.startedAt`), so one bad row never refuses the others. " +
    "Every string refuses NUL and unpaired UTF-16 surrogates; times must lie between 2000-01-01 and 2100-01-01. Unknown fields are ignored.",
  security: [{ apiKey: [] }],
  request: {
    body: { required: true, content: { "application/json": { schema: z.union([completedCallSchema, batchSchema]) } } },
  },
  responses: {
    200: {
      description: "Decision (single call) or per-row results (batch)",
      content: { "application/json": { schema: z.union([decisionSchema, batchResultSchema]) } },
    },
    400: errors("Malformed JSON (invalid_json) or invalid fields (validation_failed), naming each field"),
    401: errors("Missing, unknown or revoked API key"),
    413: errors("Body over 1 MB"),
    415: errors("Body is not application/json"),
  },
});

openApiRegistry.registerPath({
  method: "get",
  path: "/api/v1/calls/{externalCallId}",
  summary: "The decision for a completed call, and its survey once it exists",
  security: [{ apiKey: [] }],
  request: { params: z.object({ externalCallId: z.string() }) },
  responses: {
    200: { description: "Decision and survey", content: { "application/json": { schema: callStatusSchema } } },
    401: errors("Missing, unknown or revoked API key"),
    404: errors("No such call for this organization"),
  },
});

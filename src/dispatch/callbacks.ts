import { Router, type Request, type Response } from "express";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { handleRecordingCallback } from "../recordings/voice-messages.js";
import { handleAmdCallback, handleStatusCallback } from "./callback-handlers.js";

/**
 * Twilio's status, answering-machine-detection and recording callbacks.
 * Mounted by src/survey/webhooks.ts under /twilio, behind its form parser and
 * signature check. Answers empty TwiML (Twilio ignores the body): 200 when
 * the callback was handled or can never be (invalid parameters), 500 when its
 * handling failed, so that Twilio delivers it again (the URLs carry connection
 * overrides with rp=5xx, src/telephony/signature.ts). Handlers are idempotent:
 * a redelivery records nothing twice and applies what was not applied.
 */

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';
const callSid = z.string().regex(/^CA[0-9a-f]{32}$/i);
const query = z.object({ surveyId: z.uuid() });
const int = z.coerce.number().int().nonnegative();

// Only what we use; Twilio adds parameters over time, and they are allowed.
const statusForm = z.object({
  CallSid: callSid,
  CallStatus: z.enum([
    "queued",
    "initiated",
    "ringing",
    "in-progress",
    "completed",
    "busy",
    "failed",
    "no-answer",
    "canceled",
  ]),
  SequenceNumber: int.optional(),
  Timestamp: z.string().max(100).optional(),
  CallDuration: int.optional(),
  ErrorCode: z.string().max(20).optional(),
  ErrorMessage: z.string().max(500).optional(),
});

const amdForm = z.object({
  CallSid: callSid,
  AnsweredBy: z.enum([
    "human",
    "machine_start",
    "machine_end_beep",
    "machine_end_silence",
    "machine_end_other",
    "fax",
    "unknown",
  ]),
  MachineDetectionDuration: int.optional(),
});

const recordingForm = z.object({
  CallSid: callSid,
  RecordingSid: z.string().regex(/^RE[0-9a-f]{32}$/i),
  RecordingStatus: z.string().max(30),
  RecordingDuration: int.default(0),
  RecordingUrl: z.string().max(500).optional(),
});

function twiml(res: Response, status = 200) {
  res.status(status).type("text/xml").send(EMPTY_TWIML);
}

/** Parses, runs the handler, answers TwiML: 500 when the handler failed, so Twilio retries. */
function callback<T extends z.ZodType>(
  ctx: AppContext,
  name: string,
  schema: T,
  run: (surveyId: string, form: z.infer<T>) => Promise<unknown>,
) {
  return async (req: Request, res: Response) => {
    const q = query.safeParse(req.query);
    const form = schema.safeParse(req.body ?? {});
    if (!q.success || !form.success) {
      const issues = [...(q.error?.issues ?? []), ...(form.error?.issues ?? [])].map(
        (i) => `${i.path.join(".")}: ${i.message}`,
      );
      (req.log ?? ctx.logger).warn(`${name} callback with invalid parameters; ignored`, { issues });
      return twiml(res);
    }
    try {
      const result = await run(q.data.surveyId, form.data);
      (req.log ?? ctx.logger).debug(`${name} callback handled`, { surveyId: q.data.surveyId, result });
    } catch (err) {
      (req.log ?? ctx.logger).error(`${name} callback failed; answering 500 so Twilio delivers it again`, {
        surveyId: q.data.surveyId,
        err,
      });
      return twiml(res, 500);
    }
    twiml(res);
  };
}

export function dispatchCallbackRouter(ctx: AppContext): Router {
  const router = Router();
  router.post(
    "/status",
    callback(ctx, "status", statusForm, (surveyId, f) =>
      handleStatusCallback(ctx, {
        surveyId,
        callSid: f.CallSid,
        callStatus: f.CallStatus,
        sequenceNumber: f.SequenceNumber,
        timestamp: f.Timestamp,
        callDuration: f.CallDuration,
        errorCode: f.ErrorCode,
        errorMessage: f.ErrorMessage,
      }),
    ),
  );
  router.post(
    "/amd",
    callback(ctx, "amd", amdForm, (surveyId, f) =>
      handleAmdCallback(ctx, {
        surveyId,
        callSid: f.CallSid,
        answeredBy: f.AnsweredBy,
        detectionMs: f.MachineDetectionDuration,
      }),
    ),
  );
  router.post(
    "/recording",
    callback(ctx, "recording", recordingForm, (surveyId, f) =>
      handleRecordingCallback(ctx, {
        surveyId,
        callSid: f.CallSid,
        recordingSid: f.RecordingSid,
        recordingStatus: f.RecordingStatus,
        durationSeconds: f.RecordingDuration,
        recordingUrl: f.RecordingUrl,
      }),
    ),
  );
  return router;
}

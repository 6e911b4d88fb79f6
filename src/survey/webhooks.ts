import express, { Router, type Request, type Response } from "express";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { dispatchCallbackRouter } from "../dispatch/callbacks.js";
import { smsWebhookRouter } from "../sms/webhooks.js";
import { twilioSignature } from "../telephony/signature.js";
import type { EngineInput } from "./engine.js";
import { handleSurveyTurn } from "./service.js";
import { fallbackTwiml } from "./twiml.js";

// Twilio's form posts and our own step tokens, validated at the edge. A bad
// value is never a 400 to Twilio (the citizen would hear an application
// error): it becomes an unknown survey or a stale step, answered with TwiML.
const surveyQuery = z.object({ surveyId: z.string().max(64).default("") });
const stepQuery = surveyQuery.extend({
  flow: z.string().max(64).optional().catch(undefined),
  v: z
    .string()
    .regex(/^[0-9a-f]{12}$/)
    .optional()
    .catch(undefined),
  step: z.string().max(64).default(""),
  try: z.coerce.number().int().min(0).max(99).catch(-1),
});
const twilioForm = z.object({ CallSid: z.string().max(64).optional(), Digits: z.string().max(32).optional() }).loose();

type Turn = { surveyId: string; flowId?: string; flowVersion?: string; input: EngineInput; callSid?: string };

/**
 * Twilio's webhooks under /twilio. Every route is signature-checked except the
 * prompt audio: those are public, non-personal recordings that Twilio's media
 * fetcher GETs (and may cache or fetch through a CDN), so a signature there
 * protects nothing and would only risk a silent call.
 */
export function surveyWebhookRouter(ctx: AppContext): Router {
  const router = Router();
  router.use("/audio", express.static(ctx.flows.audioDir, { index: false, dotfiles: "deny", maxAge: "1h" }));
  router.use("/audio", (_req, res) => void res.status(404).type("text/plain").send("No such audio file"));

  router.use(express.urlencoded({ extended: false, limit: "64kb" }));
  router.use(twilioSignature(ctx));
  router.use(dispatchCallbackRouter(ctx));
  router.use("/sms", smsWebhookRouter(ctx));

  const turn =
    (toTurn: (q: z.infer<typeof stepQuery>, form: z.infer<typeof twilioForm>) => Turn) =>
    async (req: Request, res: Response) => {
      const q = stepQuery.safeParse(req.query);
      const form = twilioForm.safeParse(req.body ?? {});
      const query = q.success ? q.data : { surveyId: "", step: "", try: -1 };
      const t = { ...toTurn(query, form.success ? form.data : {}), flowId: query.flow, flowVersion: query.v };
      const log = req.log.child({ surveyId: t.surveyId, callSid: t.callSid });
      let twiml: string;
      try {
        twiml = await handleSurveyTurn(ctx, log, t);
      } catch (err) {
        // handleSurveyTurn answers its own failures; this is the last line of defence.
        log.error("survey webhook failed before the flow was known", { err });
        twiml = fallbackTwiml("error");
      }
      res.status(200).type("text/xml").send(twiml);
    };

  router.post(
    "/voice",
    turn((q, f) => ({ surveyId: q.surveyId, callSid: f.CallSid, input: { kind: "start" } })),
  );
  router.post(
    "/gather",
    turn((q, f) => ({
      surveyId: q.surveyId,
      callSid: f.CallSid,
      // Without digits the gather timed out; Twilio should not call us then (actionOnEmptyResult=false), but if it does it is silence.
      input: f.Digits
        ? { kind: "digits", step: q.step, try: q.try, digits: f.Digits }
        : { kind: "no-input", step: q.step, try: q.try },
    })),
  );
  router.post(
    "/no-input",
    turn((q, f) => ({
      surveyId: q.surveyId,
      callSid: f.CallSid,
      input: { kind: "no-input", step: q.step, try: q.try },
    })),
  );
  router.post(
    "/recorded",
    turn((q, f) => ({
      surveyId: q.surveyId,
      callSid: f.CallSid,
      input: { kind: "recorded", step: q.step, try: q.try },
    })),
  );
  return router;
}

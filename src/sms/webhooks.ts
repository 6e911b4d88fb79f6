import { Router, type Request, type Response } from "express";
import twilio from "twilio";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { handleInboundSms, handleSmsStatus } from "./inbound.js";

/**
 * Twilio's messaging webhooks, mounted by src/survey/webhooks.ts at
 * /twilio/sms behind its form parser and signature check (a forged request
 * never gets here). Validated with zod; a request that can never be valid is
 * answered 200 with nothing to do, a handling failure 500 so Twilio delivers
 * it again (handlers are idempotent).
 */

const messageSid = z.string().regex(/^(SM|MM)[0-9a-f]{32}$/i);
const statusQuery = z.object({ smsId: z.uuid() });
const statusForm = z.object({
  MessageSid: messageSid,
  MessageStatus: z.enum([
    "accepted",
    "scheduled",
    "queued",
    "sending",
    "sent",
    "delivered",
    "undelivered",
    "failed",
    "read",
    "canceled",
  ]),
  ErrorCode: z
    .string()
    .regex(/^\d{1,6}$/)
    .optional(),
});
const inboundForm = z.object({
  MessageSid: messageSid,
  From: z.string().regex(/^\+[1-9]\d{6,14}$/, "expected an E.164 number"),
  Body: z.string().max(1600).default(""),
});

const EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

function issues(err: z.ZodError): string[] {
  return err.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

export function smsWebhookRouter(ctx: AppContext): Router {
  const router = Router();

  router.post("/status", async (req: Request, res: Response) => {
    const q = statusQuery.safeParse(req.query);
    const form = statusForm.safeParse(req.body ?? {});
    const log = req.log ?? ctx.logger;
    if (!q.success || !form.success) {
      log.warn("SMS status callback with invalid parameters; ignored", {
        issues: [...(q.error ? issues(q.error) : []), ...(form.error ? issues(form.error) : [])],
      });
      return void res.status(200).type("text/xml").send(EMPTY);
    }
    try {
      const r = await handleSmsStatus(ctx, {
        smsId: q.data.smsId,
        messageSid: form.data.MessageSid,
        status: form.data.MessageStatus,
        errorCode: form.data.ErrorCode ?? null,
      });
      log.debug("SMS status callback handled", { smsId: q.data.smsId, result: r });
    } catch (err) {
      log.error("SMS status callback failed; answering 500 so Twilio delivers it again", { err });
      return void res.status(500).type("text/xml").send(EMPTY);
    }
    res.status(200).type("text/xml").send(EMPTY);
  });

  router.post("/inbound", async (req: Request, res: Response) => {
    const form = inboundForm.safeParse(req.body ?? {});
    const log = req.log ?? ctx.logger;
    if (!form.success) {
      log.warn("inbound SMS with invalid parameters; ignored", { issues: issues(form.error) });
      return void res.status(200).type("text/xml").send(EMPTY);
    }
    try {
      const r = await handleInboundSms(ctx, {
        messageSid: form.data.MessageSid,
        from: form.data.From,
        body: form.data.Body,
      });
      if (r.reply) {
        const response = new twilio.twiml.MessagingResponse();
        response.message(r.reply);
        return void res.status(200).type("text/xml").send(response.toString());
      }
    } catch (err) {
      log.error("inbound SMS failed; answering 500 so Twilio delivers it again", { err });
      return void res.status(500).type("text/xml").send(EMPTY);
    }
    res.status(200).type("text/xml").send(EMPTY);
  });

  return router;
}

import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../../lib/logger.js";
import { plannedScore, type Persona } from "./personas.js";
import { API_VERSION, newSid } from "./store.js";
import { answerWebSurvey } from "./web-citizen.js";
import { mulberry32 } from "./wav.js";
import { httpMethod, sendWebhook } from "./webhook-client.js";

/**
 * The Messages API subset twilio-node uses (create, fetch one) and what
 * happens after: status callbacks queued → sent → delivered (sometimes
 * undelivered, 30003), signed like the voice callbacks; then the virtual
 * citizen may reply STOPP (an inbound message posted, signed, to the
 * service's inbound webhook) or open the link and answer on the web by HTTP
 * (web-citizen.ts).
 */
export interface SimMessage {
  sid: string;
  accountSid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  status: "queued" | "sent" | "delivered" | "undelivered";
  errorCode: number | null;
  statusCallback?: string;
  dateCreated: Date;
  dateUpdated: Date;
}

export type MessageResult =
  { ok: true; message: SimMessage } | { ok: false; status: number; code: number; message: string };

const E164 = /^\+[1-9]\d{6,14}$/;
const form = (v: unknown): string | undefined =>
  Array.isArray(v) ? v[v.length - 1] : typeof v === "string" ? v : undefined;

/** What a citizen does with an SMS: a pure function of the persona, so the same number always behaves the same. */
export function smsBehaviour(p: Persona): {
  delivered: boolean;
  reply: "stop" | null;
  answersWeb: boolean;
  delaySeconds: number;
  comment: string | null;
} {
  const rnd = mulberry32(p.seed ^ 0x5eed5);
  const delivered = rnd() >= 0.03;
  const r = rnd();
  const reply = r < 0.06 ? "stop" : null;
  const answersWeb = reply === null && rnd() < 0.3;
  const comment = rnd() < 0.4 ? COMMENTS[Math.floor(rnd() * COMMENTS.length)] : null;
  return { delivered, reply, answersWeb, delaySeconds: 20 + Math.round(rnd() * 280), comment };
}

// Invented comments of a demo citizen; no real person's words.
const COMMENTS = [
  "Bra bemötande, fick hjälp direkt.",
  "Lång väntetid men trevlig personal.",
  "Svårt att förstå vart jag skulle vända mig.",
  "Tack för hjälpen!",
];

export class SimulatorMessaging {
  readonly messages = new Map<string, SimMessage>();
  private readonly pending = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly opts: {
      accountSid: string;
      authToken: string;
      timeScale: number;
      logger: Logger;
      personaFor: (number: string) => Persona;
      /** The service's inbound SMS webhook (a number's "A message comes in" URL at Twilio). */
      inboundUrl?: string;
      /** Our own number citizens reply to. */
      ownNumber: string;
    },
  ) {}

  create(body: Record<string, unknown>): MessageResult {
    const to = form(body.To);
    const from = form(body.From);
    const service = form(body.MessagingServiceSid);
    const text = form(body.Body);
    // Error codes from https://www.twilio.com/docs/api/errors
    if (!to) return { ok: false, status: 400, code: 21604, message: "A 'To' phone number is required." };
    if (!E164.test(to))
      return { ok: false, status: 400, code: 21211, message: "The 'To' number is not a valid phone number." };
    if (!from && !service)
      return {
        ok: false,
        status: 400,
        code: 21603,
        message: "A 'From' phone number or MessagingServiceSid is required.",
      };
    if (!text) return { ok: false, status: 400, code: 21602, message: "Message body is required." };
    if (text.length > 1600)
      return {
        ok: false,
        status: 400,
        code: 21617,
        message: "The concatenated message body exceeds the 1600 character limit.",
      };
    const callback = form(body.StatusCallback);
    if (callback !== undefined && !/^https?:\/\//.test(callback))
      return { ok: false, status: 400, code: 21609, message: "Invalid StatusCallback URL." };
    const now = new Date();
    const m: SimMessage = {
      sid: newSid("SM"),
      accountSid: this.opts.accountSid,
      to,
      from: from ?? null,
      messagingServiceSid: service ?? null,
      body: text,
      status: "queued",
      errorCode: null,
      statusCallback: callback,
      dateCreated: now,
      dateUpdated: now,
    };
    this.messages.set(m.sid, m);
    if (this.messages.size > 10_000) this.messages.delete(this.messages.keys().next().value!);
    this.track(this.deliver(m));
    return { ok: true, message: m };
  }

  async stop() {
    this.stopped = true;
    await Promise.allSettled([...this.pending]);
  }

  /** Resolves when every delivery and citizen reaction started so far has finished. */
  async idle() {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private track(p: Promise<void>) {
    const t: Promise<void> = p
      .catch((err: unknown) => void this.opts.logger.warn("simulated SMS failed", { err }))
      .finally(() => this.pending.delete(t));
    this.pending.add(t);
  }

  private wait(seconds: number) {
    return sleep(Math.max(0, seconds * this.opts.timeScale * 1000));
  }

  private async deliver(m: SimMessage) {
    const b = smsBehaviour(this.opts.personaFor(m.to));
    await this.wait(1);
    if (this.stopped) return;
    await this.setStatus(m, "sent");
    await this.wait(2);
    if (this.stopped) return;
    if (!b.delivered) return void (await this.setStatus(m, "undelivered", 30003));
    await this.setStatus(m, "delivered");
    await this.wait(b.delaySeconds);
    if (this.stopped) return;
    if (b.reply === "stop") await this.inbound(m.to, "STOPP");
    else if (b.answersWeb) {
      const link = /https?:\/\/\S+\/s\/[A-Za-z0-9_-]+/.exec(m.body)?.[0];
      if (!link) return;
      const persona = this.opts.personaFor(m.to);
      const r = await answerWebSurvey(link, { scoreFor: (k) => plannedScore(persona, k), comment: b.comment });
      this.opts.logger.debug("simulated citizen answered on the web", { messageSid: m.sid, ...r });
    }
  }

  private async setStatus(m: SimMessage, status: SimMessage["status"], errorCode?: number) {
    m.status = status;
    m.errorCode = errorCode ?? null;
    m.dateUpdated = new Date();
    if (!m.statusCallback) return;
    const params: Record<string, string> = {
      AccountSid: m.accountSid,
      MessageSid: m.sid,
      SmsSid: m.sid,
      MessageStatus: status,
      SmsStatus: status,
      To: m.to,
      From: m.from ?? this.opts.ownNumber,
      ApiVersion: API_VERSION,
      ...(m.messagingServiceSid ? { MessagingServiceSid: m.messagingServiceSid } : {}),
      ...(errorCode ? { ErrorCode: String(errorCode) } : {}),
    };
    // The fragment carries connection overrides; it never goes on the wire.
    const url = m.statusCallback.split("#")[0];
    await sendWebhook(this.opts.authToken, url, httpMethod(undefined), params);
  }

  /** A citizen's text to our number, posted to the service's inbound webhook as Twilio does. */
  async inbound(from: string, body: string) {
    if (!this.opts.inboundUrl) return null;
    return sendWebhook(this.opts.authToken, this.opts.inboundUrl, "POST", {
      AccountSid: this.opts.accountSid,
      MessageSid: newSid("SM"),
      SmsSid: newSid("SM"),
      From: from,
      To: this.opts.ownNumber,
      Body: body,
      NumMedia: "0",
      NumSegments: "1",
      ApiVersion: API_VERSION,
    });
  }
}

/** A Message resource as Twilio returns it (the fields twilio-node reads). */
export function messageJson(m: SimMessage) {
  return {
    sid: m.sid,
    account_sid: m.accountSid,
    to: m.to,
    from: m.from,
    messaging_service_sid: m.messagingServiceSid,
    body: m.body,
    status: m.status,
    error_code: m.errorCode,
    error_message: null,
    num_segments: "1",
    num_media: "0",
    direction: "outbound-api",
    api_version: API_VERSION,
    price: null,
    price_unit: "USD",
    date_created: m.dateCreated.toUTCString(),
    date_updated: m.dateUpdated.toUTCString(),
    date_sent: m.status === "queued" ? null : m.dateUpdated.toUTCString(),
    uri: `/${API_VERSION}/Accounts/${m.accountSid}/Messages/${m.sid}.json`,
    subresource_uris: {},
  };
}

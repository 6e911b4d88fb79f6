import { randomUUID } from "node:crypto";
import twilio from "twilio";

/**
 * Requests the simulator makes to the application, signed like Twilio's:
 * X-Twilio-Signature = getExpectedTwilioSignature(authToken, url, params) over
 * the exact URL requested and, for POST, the form parameters
 * (https://www.twilio.com/docs/usage/webhooks/webhooks-security). With GET the
 * parameters travel in the query string and are part of the signed URL.
 */
export interface WebhookResponse {
  status: number;
  contentType: string;
  body: string;
}

export type Params = Record<string, string>;

/** Twilio waits 15 s for a webhook before giving up (error 11205). */
const WEBHOOK_TIMEOUT_MS = 15_000;

export async function sendWebhook(
  authToken: string,
  url: string,
  method: "GET" | "POST",
  params: Params,
  opts: { timeoutMs?: number } = {},
): Promise<WebhookResponse> {
  let target = url;
  let body: string | undefined;
  let signed: Params = params;
  if (method === "GET") {
    const u = new URL(url);
    for (const [k, v] of Object.entries(params)) u.searchParams.append(k, v);
    target = u.toString();
    signed = {};
  } else {
    body = new URLSearchParams(params).toString();
  }
  const res = await fetch(target, {
    method,
    body,
    headers: {
      ...(body !== undefined ? { "Content-Type": "application/x-www-form-urlencoded; charset=utf-8" } : {}),
      "X-Twilio-Signature": twilio.getExpectedTwilioSignature(authToken, target, signed),
      "I-Twilio-Idempotency-Token": randomUUID(),
      "User-Agent": "TwilioProxy/1.1",
      Accept: "*/*",
    },
    redirect: "manual",
    signal: AbortSignal.timeout(opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS),
  });
  return { status: res.status, contentType: res.headers.get("content-type") ?? "", body: await res.text() };
}

/** Resolves an action/Redirect URL against the document that contained it, as Twilio does. */
export function resolveUrl(ref: string | undefined, documentUrl: string): string {
  return ref ? new URL(ref, documentUrl).toString() : documentUrl;
}

export function httpMethod(v: string | undefined, fallback: "GET" | "POST" = "POST"): "GET" | "POST" {
  const m = v?.toUpperCase();
  return m === "GET" || m === "POST" ? m : fallback;
}

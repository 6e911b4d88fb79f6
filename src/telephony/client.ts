import twilio from "twilio";
import type RequestClient from "twilio/lib/base/RequestClient.js";
import { twilioApiError } from "../lib/metrics.js";

export type TwilioClient = twilio.Twilio;

export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
  /** The caller id survey calls are placed from (E.164). */
  fromNumber: string;
  /** A Twilio-compatible REST base URL (the simulator, a staging proxy); undefined = Twilio. */
  apiUrl?: string;
}

const TWILIO_HOST = /^https:\/\/[a-z0-9.-]+\.twilio\.com/;

/**
 * A RequestClient that sends every request to another base URL (when given).
 * twilio-node builds absolute https://api.twilio.com/... URIs, so rewriting
 * them here lets the unchanged production code path talk to the simulator
 * (TWILIO_API_URL). Every failed request is counted by Twilio error code.
 */
class RebasedRequestClient extends twilio.RequestClient {
  constructor(
    private readonly baseUrl: string | undefined,
    opts?: ConstructorParameters<typeof twilio.RequestClient>[0],
  ) {
    super(opts);
  }
  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const uri = this.baseUrl ? opts.uri.replace(TWILIO_HOST, this.baseUrl.replace(/\/+$/, "")) : opts.uri;
    return super.request<TData>({ ...opts, uri }).then(
      (res) => {
        if (res.statusCode >= 400) twilioApiError(twilioErrorCode(res.body) ?? res.statusCode);
        return res;
      },
      (err: { code?: string }) => {
        twilioApiError(err?.code ?? "network");
        throw err;
      },
    );
  }
}

/** Twilio's error code from an error response body ({"code": 21211, ...}), if any. */
function twilioErrorCode(body: unknown): number | null {
  try {
    const parsed = typeof body === "string" ? JSON.parse(body) : body;
    const code = (parsed as { code?: unknown } | null)?.code;
    return typeof code === "number" ? code : null;
  } catch {
    return null;
  }
}

/**
 * twilio-node with a bounded timeout. Its own 429 auto-retry stays off: the
 * dispatcher decides about retries, because a retried POST /Calls must never
 * create a second call (see src/dispatch).
 */
export function createTwilioClient(creds: TwilioCredentials, opts: { timeoutMs?: number } = {}): TwilioClient {
  const requestOpts = { timeout: opts.timeoutMs ?? 10_000, keepAlive: true };
  const httpClient = new RebasedRequestClient(creds.apiUrl, requestOpts);
  return twilio(creds.accountSid, creds.authToken, { httpClient, autoRetry: false });
}

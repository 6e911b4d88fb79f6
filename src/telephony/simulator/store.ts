import { randomBytes } from "node:crypto";

/**
 * The simulator's in-memory account: calls and recordings, and how they look
 * in Twilio's REST API (2010-04-01 JSON, snake_case, RFC 2822 dates, durations
 * as strings). Shapes follow https://www.twilio.com/docs/voice/api/call-resource
 * and https://www.twilio.com/docs/voice/api/recording.
 */
export const API_VERSION = "2010-04-01";

/** https://www.twilio.com/docs/voice/api/call-resource#call-status-values */
export type CallStatus =
  "queued" | "ringing" | "in-progress" | "canceled" | "completed" | "failed" | "busy" | "no-answer";
export const FINAL_STATUSES: ReadonlySet<CallStatus> = new Set([
  "canceled",
  "completed",
  "failed",
  "busy",
  "no-answer",
]);

export interface SimCall {
  sid: string;
  accountSid: string;
  to: string;
  from: string;
  status: CallStatus;
  url: string;
  method: "GET" | "POST";
  statusCallback?: string;
  statusCallbackMethod: "GET" | "POST";
  statusCallbackEvents: Set<string>;
  machineDetection?: string;
  asyncAmd: boolean;
  asyncAmdStatusCallback?: string;
  asyncAmdStatusCallbackMethod: "GET" | "POST";
  /** Ring timeout, seconds (Twilio default 60). */
  timeout: number;
  /** Seconds the call may last once answered (Twilio default 4 hours). */
  timeLimit: number;
  dateCreated: Date;
  dateUpdated: Date;
  startTime?: Date;
  endTime?: Date;
  /** Seconds from answer to hang-up, simulated time. */
  duration?: number;
  answeredBy?: string;
  /** Next SequenceNumber of a status callback (starts at 0). */
  sequence: number;
}

export interface SimRecording {
  sid: string;
  accountSid: string;
  callSid: string;
  dateCreated: Date;
  startTime: Date;
  durationSeconds: number;
  wav: Buffer;
}

export const newSid = (prefix: "CA" | "RE" | "SM") => `${prefix}${randomBytes(16).toString("hex")}`;

/** RFC 2822 as Twilio writes it: "Tue, 31 Aug 2010 20:36:28 +0000". */
export function rfc2822(d: Date | undefined): string | null {
  return d ? d.toUTCString().replace(/GMT$/, "+0000") : null;
}

export function callJson(c: SimCall) {
  const base = `/${API_VERSION}/Accounts/${c.accountSid}/Calls/${c.sid}`;
  return {
    sid: c.sid,
    account_sid: c.accountSid,
    annotation: null,
    answered_by: c.answeredBy ?? null,
    api_version: API_VERSION,
    caller_name: null,
    date_created: rfc2822(c.dateCreated),
    date_updated: rfc2822(c.dateUpdated),
    direction: "outbound-api",
    duration: c.duration === undefined ? null : String(c.duration),
    end_time: rfc2822(c.endTime),
    forwarded_from: null,
    from: c.from,
    from_formatted: c.from,
    group_sid: null,
    parent_call_sid: null,
    phone_number_sid: null,
    price: null,
    price_unit: "USD",
    queue_time: "0",
    start_time: rfc2822(c.startTime),
    status: c.status,
    subresource_uris: {
      notifications: `${base}/Notifications.json`,
      recordings: `${base}/Recordings.json`,
      events: `${base}/Events.json`,
    },
    to: c.to,
    to_formatted: c.to,
    trunk_sid: null,
    uri: `${base}.json`,
  };
}

export function recordingJson(r: SimRecording, apiBase: string) {
  const base = `/${API_VERSION}/Accounts/${r.accountSid}/Recordings/${r.sid}`;
  return {
    sid: r.sid,
    account_sid: r.accountSid,
    api_version: API_VERSION,
    call_sid: r.callSid,
    conference_sid: null,
    channels: 1,
    date_created: rfc2822(r.dateCreated),
    date_updated: rfc2822(r.dateCreated),
    start_time: rfc2822(r.startTime),
    duration: String(r.durationSeconds),
    price: null,
    price_unit: "USD",
    status: "completed",
    source: "RecordVerb",
    error_code: null,
    encryption_details: null,
    media_url: `${apiBase}${base}`,
    subresource_uris: {
      add_on_results: `${base}/AddOnResults.json`,
      transcriptions: `${base}/Transcriptions.json`,
    },
    uri: `${base}.json`,
  };
}

/**
 * Bounded maps: the simulator runs for days in the embedded demo, so finished
 * calls and undeleted recordings are forgotten oldest-first past a cap.
 */
export class BoundedMap<V> extends Map<string, V> {
  constructor(private readonly cap: number) {
    super();
  }
  override set(key: string, value: V): this {
    super.set(key, value);
    while (this.size > this.cap) this.delete(this.keys().next().value as string);
    return this;
  }
}

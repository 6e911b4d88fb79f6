import twilio from "twilio";
import type { AppContext } from "../../src/context.js";

/**
 * POSTs a form to the app the way Twilio does: application/x-www-form-urlencoded
 * and an X-Twilio-Signature over PUBLIC_BASE_URL + path and the params.
 * `path` includes the query string, e.g. "/twilio/voice?surveyId=...".
 */
export async function signedPost(
  appUrl: string,
  path: string,
  params: Record<string, string>,
  ctx: Pick<AppContext, "config" | "twilioCredentials">,
  opts: { signature?: string | null } = {},
): Promise<Response> {
  const signature =
    opts.signature === undefined
      ? twilio.getExpectedTwilioSignature(ctx.twilioCredentials.authToken, ctx.config.publicBaseUrl + path, params)
      : opts.signature;
  return fetch(appUrl + path, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      ...(signature === null ? {} : { "x-twilio-signature": signature }),
    },
    body: new URLSearchParams(params).toString(),
  });
}

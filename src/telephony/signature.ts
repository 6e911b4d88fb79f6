import type { RequestHandler } from "express";
import twilio from "twilio";
import type { AppContext } from "../context.js";

/**
 * Twilio's webhook connection overrides, appended as a URL fragment to the
 * callbacks we give Twilio: retry up to 3 times when the connection fails
 * (ct), the response times out (rt) or the service answers 5xx, so a callback
 * whose handling failed (callbacks.ts answers 500) is delivered again.
 */
export const CONNECTION_OVERRIDES = "#rc=3&rp=ct,rt,5xx";

export function withConnectionOverrides(url: string): string {
  return url + CONNECTION_OVERRIDES;
}

/**
 * The URLs Twilio may have signed for a request: the one it called and, since
 * a fragment never reaches the server and Twilio's documentation does not say
 * whether the signature covers it, the same with our overrides appended.
 */
export function signedUrlCandidates(url: string): string[] {
  return [url, withConnectionOverrides(url)];
}

/**
 * Rejects any request that does not carry a valid X-Twilio-Signature.
 * Twilio signs the URL exactly as it called it plus the POST parameters, so we
 * validate against PUBLIC_BASE_URL + the original path and query: what the
 * request looks like after a proxy (http vs https, rewritten host or port) is
 * not what Twilio signed. Needs the urlencoded body parser to run first.
 */
export function twilioSignature(ctx: Pick<AppContext, "config" | "twilioCredentials" | "logger">): RequestHandler {
  return (req, res, next) => {
    const url = ctx.config.publicBaseUrl + req.originalUrl;
    const signature = req.get("x-twilio-signature");
    const params =
      req.method === "POST" && req.body && typeof req.body === "object" ? (req.body as Record<string, unknown>) : {};
    if (
      signature &&
      signedUrlCandidates(url).some((u) =>
        twilio.validateRequest(ctx.twilioCredentials.authToken, signature, u, params),
      )
    ) {
      next();
      return;
    }
    (req.log ?? ctx.logger).warn(
      signature ? "Twilio signature invalid: request rejected" : "Twilio signature missing: request rejected",
      {
        validatedUrl: url,
        method: req.method,
        host: req.get("host"),
        forwardedProto: req.get("x-forwarded-proto"),
        hint:
          "If these are real Twilio requests, PUBLIC_BASE_URL probably differs from the URL Twilio calls " +
          "(http vs https, or a proxy rewriting host or port); it must be the exact public base URL configured at Twilio. " +
          "Otherwise the auth token differs or the request is not from Twilio.",
      },
    );
    res.status(403).type("text/plain").send("Forbidden: invalid Twilio signature");
  };
}

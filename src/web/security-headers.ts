import helmet from "helmet";
import type { RequestHandler } from "express";

/**
 * Security headers on every response, pages and API alike. The pages load
 * their scripts and styles as files from this service and carry no inline
 * script, style attribute or event handler, so the policy needs no
 * 'unsafe-inline' and no nonce. HSTS only when the service is reached over
 * https: on plain http (a laptop, the tests) it would make browsers refuse
 * the site.
 */
export function securityHeaders(publicBaseUrl: string): RequestHandler {
  const https = publicBaseUrl.startsWith("https:");
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        mediaSrc: ["'self'"],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        // No upgrade-insecure-requests: every URL is relative to this origin, and HSTS already
        // keeps browsers on https; the directive would break a deployment reached over plain http.
      },
    },
    frameguard: { action: "deny" },
    referrerPolicy: { policy: "same-origin" },
    strictTransportSecurity: https ? { maxAge: 365 * 86_400, includeSubDomains: true } : false,
    xContentTypeOptions: true,
  });
}

import type { ErrorRequestHandler, Request } from "express";
import { ZodError } from "zod";
import type { Logger } from "./logger.js";

export type ErrorCode =
  | "bad_request"
  | "validation_failed"
  | "invalid_json"
  | "unsupported_media_type"
  | "payload_too_large"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "too_many_requests"
  | "unavailable"
  | "internal";

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  validation_failed: 400,
  invalid_json: 400,
  unsupported_media_type: 415,
  payload_too_large: 413,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_many_requests: 429,
  unavailable: 503,
  internal: 500,
};

export interface ErrorDetail {
  /** Path of the offending field, e.g. "calls.3.callerNumber". */
  field?: string;
  message: string;
  [key: string]: unknown;
}

/**
 * A sentence for a person: a plain string is Swedish only (older call sites);
 * a function gives it in the viewer's language, from the catalogue.
 */
export type UserMessage = string | ((lang: "sv" | "en") => string);

/** The one error type services throw; `errorHandler` turns it into HTTP. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
    /** A sentence that may be shown to a person (Swedish on the pages); `message` stays for logs and the API. */
    readonly userMessage?: UserMessage,
  ) {
    super(message);
    this.name = "AppError";
  }
  get status(): number {
    return STATUS[this.code];
  }
}

/** The error's sentence for a person in `lang`; a Swedish-only one is given only in Swedish. */
export function userMessageIn(err: AppError, lang: "sv" | "en"): string | undefined {
  const m = err.userMessage;
  if (typeof m === "function") return m(lang);
  // A plain string is Swedish: none in another language (the page's generic sentence stands).
  if (lang !== "sv") return undefined;
  return m;
}

export function zodDetails(err: ZodError, prefix: (string | number)[] = []): ErrorDetail[] {
  return err.issues.map((i) => ({ field: [...prefix, ...i.path].join(".") || "(body)", message: i.message }));
}

/** Parses with a zod schema or throws AppError("validation_failed") naming each field. */
export function parseOrThrow<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: ZodError } },
  value: unknown,
  what = "request",
): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const details = zodDetails(r.error);
  throw new AppError(
    "validation_failed",
    `Invalid ${what}: ${details.map((d) => `${d.field}: ${d.message}`).join("; ")}`,
    details,
  );
}

/** An http-errors 4xx that is safe to show (body-parser's, raw-body's). */
function isClientHttpError(err: unknown): err is Error & { status: number } {
  const e = err as { status?: unknown; expose?: unknown };
  return err instanceof Error && typeof e.status === "number" && e.status >= 400 && e.status < 500 && e.expose === true;
}

/** How a browser is answered instead of the JSON body (the web feature supplies the page). */
export interface HtmlErrorPage {
  wants(req: Request): boolean;
  render(req: Request, err: AppError): string;
}

/**
 * The one translator from thrown errors to `{ error: { code, message, details } }`,
 * or to the app's own HTML error page when a browser asks for a page.
 */
export function errorHandler(logger: Logger, page?: HtmlErrorPage): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let appErr: AppError;
    // body-parser errors carry `type` and `status`.
    const type = (err as { type?: string }).type;
    if (err instanceof AppError) appErr = err;
    else if (err instanceof ZodError) appErr = new AppError("validation_failed", "Invalid request", zodDetails(err));
    else if (type === "entity.parse.failed")
      appErr = new AppError("invalid_json", `Malformed JSON: ${(err as Error).message}`, [
        { field: "(body)", message: (err as Error).message },
      ]);
    else if (type === "entity.too.large")
      appErr = new AppError("payload_too_large", "Request body is larger than the limit of 1 MB");
    else if (type === "charset.unsupported" || type === "encoding.unsupported")
      appErr = new AppError("unsupported_media_type", (err as Error).message);
    else if (err instanceof URIError && (err as { status?: unknown }).status === 400)
      // The router could not decode a path parameter (%ED%A0%80 is a lone surrogate, %E0 nothing).
      appErr = new AppError("bad_request", err.message, [
        { field: "(path)", message: "is not valid percent-encoded UTF-8" },
      ]);
    else if (isClientHttpError(err))
      // Any other refusal by the body parsers (a body marked gzip, deflate or br that is not
      // compressed, an aborted upload): the client's mistake, answered without a stack in the log.
      appErr = new AppError("bad_request", `Unreadable request body: ${err.message}`);
    else {
      ((req as { log?: Logger }).log ?? logger).error("unhandled error", { err });
      appErr = new AppError("internal", "Internal error");
    }
    if (appErr.status >= 500 && appErr.code !== "internal") logger.warn(appErr.message, { code: appErr.code });
    if (res.headersSent) return;
    if (page?.wants(req)) {
      try {
        res.status(appErr.status).type("html").send(page.render(req, appErr));
        return;
      } catch (renderErr) {
        // The page itself failed (e.g. the session store is down): the JSON body still answers.
        logger.error("error page failed", { err: renderErr });
      }
    }
    res.status(appErr.status).json({
      error: { code: appErr.code, message: appErr.message, ...(appErr.details ? { details: appErr.details } : {}) },
    });
  };
}

import express from "express";
import type { AppContext } from "./context.js";
import { healthRouter } from "./health.js";
import { AppError, errorHandler } from "./lib/errors.js";
import { requestContext } from "./lib/http.js";
import { buildOpenApiDocument } from "./lib/openapi.js";
import { intakeRouter } from "./intake/routes.js";
import { surveyWebhookRouter } from "./survey/webhooks.js";
import { resultsRouter } from "./results/routes.js";
import { reportsRouter } from "./results/report-routes.js";
import { webRouter } from "./web/routes.js";
import { reviewRouter } from "./review/routes.js";
import { sessionMiddleware } from "./auth/middleware.js";
import { transcriptionRouter } from "./transcription/routes.js";
import { transcriptionPageRouter } from "./transcription/page-routes.js";
import { securityHeaders } from "./web/security-headers.js";
import { exchangeRouter } from "./exchange/routes.js";
import { metricsPlacement, metricsRouter, webhookTimer } from "./lib/metrics.js";
import { renderErrorPage, wantsErrorPage } from "./web/error-page.js";
import { webSurveyRouter } from "./websurvey/routes.js";

/**
 * Builds the Express app without listening (tests boot it on port 0).
 * Each feature contributes one router; this file only decides where.
 */
export function createApp(ctx: AppContext): express.Express {
  const app = express();
  app.disable("x-powered-by");
  // Off unless configured: otherwise any client could pick its own req.ip with X-Forwarded-For.
  app.set("trust proxy", ctx.config.TRUST_PROXY);
  // CSP, frame-ancestors, nosniff, Referrer-Policy (and HSTS on https) on every response, API included.
  app.use(securityHeaders(ctx.config.publicBaseUrl));
  app.use(requestContext(ctx.logger));
  // Before every feature router: pages and the results API read req.user.
  app.use(sessionMiddleware(ctx));
  app.use(healthRouter(ctx));
  if (metricsPlacement(ctx.config) === "main") app.use(metricsRouter(ctx, { token: ctx.config.METRICS_TOKEN }));
  app.get("/api/openapi.json", (_req, res) => {
    res.json(buildOpenApiDocument(ctx.config.publicBaseUrl));
  });
  // Twilio webhooks: form-encoded, signature-validated, always answer TwiML.
  if (ctx.config.METRICS_ENABLED) app.use("/twilio", webhookTimer());
  app.use("/twilio", surveyWebhookRouter(ctx));
  app.use("/api/v1", intakeRouter(ctx));
  app.use("/api/v1", resultsRouter(ctx));
  app.use("/api/v1", transcriptionRouter(ctx));
  app.use("/api/v1", exchangeRouter(ctx));
  app.use(reviewRouter(ctx));
  app.use(transcriptionPageRouter(ctx));
  app.use(reportsRouter(ctx));
  // The citizens' web survey (SMS fallback): public, its link is its credential.
  app.use(webSurveyRouter(ctx));
  app.use(webRouter(ctx));
  app.use("/api", (_req, _res, next) => next(new AppError("not_found", "No such API endpoint")));
  // Any other path: the app's own 404 (a page for browsers), never Express's "Cannot GET".
  app.use((_req, _res, next) => next(new AppError("not_found", "No such page")));
  app.use(errorHandler(ctx.logger, { wants: wantsErrorPage, render: renderErrorPage }));
  return app;
}

import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import type { Logger } from "../../lib/logger.js";
import { SimulatorEngine } from "./engine.js";
import type { Persona } from "./personas.js";
import { SimulatorMessaging } from "./messages.js";
import { simulatorRestRouter } from "./rest.js";
import { simulatorTranscriptionRouter } from "./transcription.js";
import type { CallSummary } from "./virtual-call.js";

export type { Persona } from "./personas.js";
export { createPersona, personaForNumber } from "./personas.js";
export type { CallSummary } from "./virtual-call.js";

export interface SimulatorOptions {
  accountSid: string;
  authToken: string;
  /** 0 = any free port. */
  port?: number;
  /** Default 127.0.0.1: the embedded simulator is for this machine only. */
  host?: string;
  /** Real seconds per simulated second: 1 = real time, 0.05 = a three-minute survey in nine seconds, 0 = no waiting. */
  timeScale?: number;
  logger: Logger;
  /** The base URL the application reaches the simulator at (RecordingUrl, media_url). Default http://localhost:PORT. */
  publicUrl?: string;
  /** Where simulated citizens' SMS replies are posted (the service's /twilio/sms/inbound); none = no replies. */
  inboundSmsUrl?: string;
  /** The number citizens' replies are addressed to. */
  ownNumber?: string;
}

export interface RunningSimulator {
  url: string;
  stop(): Promise<void>;
  /** Says how the citizen at `number` behaves; unregistered numbers get a persona derived from the number. */
  registerCitizen(number: string, persona: Persona): void;
  /** Called once per call after its last callback was sent. Returns an unsubscribe function. */
  onCallEnded(listener: (s: CallSummary) => void): () => void;
  /** Resolves when no virtual call is running. */
  idle(): Promise<void>;
  engine: SimulatorEngine;
  /** The Messages API's store and the citizens' reactions to SMS. */
  messaging: SimulatorMessaging;
}

/**
 * A Twilio-compatible API on its own HTTP server: the real twilio-node client
 * talks to it (src/telephony/client.ts rebases api.twilio.com onto `url`), and
 * virtual citizens answer the calls it places, calling back the application
 * with signed webhooks.
 */
export async function startSimulator(opts: SimulatorOptions): Promise<RunningSimulator> {
  let base = opts.publicUrl?.replace(/\/+$/, "") ?? "";
  const logger = opts.logger.child({ component: "twilio-simulator" });
  const engine = new SimulatorEngine({
    accountSid: opts.accountSid,
    authToken: opts.authToken,
    timeScale: opts.timeScale ?? 0.05,
    logger,
    apiBase: () => base,
  });
  const messaging = new SimulatorMessaging({
    accountSid: opts.accountSid,
    authToken: opts.authToken,
    timeScale: opts.timeScale ?? 0.05,
    logger,
    personaFor: (n) => engine.personaFor(n),
    inboundUrl: opts.inboundSmsUrl,
    ownNumber: opts.ownNumber ?? "+46850000000",
  });
  const app = express();
  app.disable("x-powered-by");
  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok", simulator: true });
  });
  app.use(simulatorTranscriptionRouter(engine.voiceTexts, logger));
  app.use(simulatorRestRouter(engine, () => base, messaging));
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve(s));
    s.once("error", reject);
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${opts.host && opts.host !== "0.0.0.0" && opts.host !== "::" ? hostForUrl(opts.host) : "localhost"}:${port}`;
  base ||= url;
  logger.info("Twilio simulator listening", {
    url,
    apiBase: base,
    accountSid: opts.accountSid,
    timeScale: engine.opts.timeScale,
  });
  return {
    url,
    engine,
    messaging,
    registerCitizen: (n, p) => engine.registerCitizen(n, p),
    onCallEnded: (l) => engine.onCallEnded(l),
    idle: () => engine.idle(),
    async stop() {
      await engine.stop();
      await messaging.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

const hostForUrl = (h: string) => (h.includes(":") ? `[${h}]` : h);

import express from "express";
import type { Server } from "node:http";
import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Transport from "winston-transport";
import { createLogger } from "../src/lib/logger.js";
import { twilioSignature } from "../src/telephony/signature.js";
import { signedPost } from "./support/twilio.js";

const TOKEN = "sig-test-auth-token-0123456789";
const PUBLIC = "https://nki.example.test";

describe("Twilio signature validation", () => {
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger("debug");
  logger.clear();
  logger.add(
    new (class extends Transport {
      override log(info: Record<string, unknown>, next: () => void) {
        logs.push(info);
        next();
      }
    })(),
  );
  const ctx = { config: { publicBaseUrl: PUBLIC }, twilioCredentials: { authToken: TOKEN }, logger } as never;
  let server: Server;
  let url: string;
  beforeAll(async () => {
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.use(twilioSignature(ctx));
    app.all("/twilio/ok", (req, res) => void res.json({ body: req.body }));
    server = await new Promise((resolve) => {
      const s = app.listen(0, "127.0.0.1", () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const params = { CallSid: "CA123", Digits: "4", From: "+46850000000" };

  it("lets a request signed over PUBLIC_BASE_URL + path + query and its parameters through", async () => {
    const res = await signedPost(url, "/twilio/ok?surveyId=abc&step=q1", params, ctx);
    expect(res.status).toBe(200);
    expect((await res.json()).body).toEqual(params);
  });

  it("rejects a missing signature with 403 and logs the URL it validated against", async () => {
    logs.length = 0;
    const res = await signedPost(url, "/twilio/ok?surveyId=abc", params, ctx, { signature: null });
    expect(res.status).toBe(403);
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: "warn",
        message: expect.stringContaining("signature missing"),
        validatedUrl: `${PUBLIC}/twilio/ok?surveyId=abc`,
      }),
    );
  });

  it.each([
    [
      "signed over http instead of https (TLS ended at a proxy)",
      `http://nki.example.test/twilio/ok?surveyId=abc`,
      params,
      TOKEN,
    ],
    [
      "signed over another host or port (a proxy rewrote it)",
      `https://nki.example.test:8443/twilio/ok?surveyId=abc`,
      params,
      TOKEN,
    ],
    ["signed over another query string (a different survey)", `${PUBLIC}/twilio/ok?surveyId=xyz`, params, TOKEN],
    [
      "signed with other parameters (tampered digits)",
      `${PUBLIC}/twilio/ok?surveyId=abc`,
      { ...params, Digits: "5" },
      TOKEN,
    ],
    ["signed with another auth token", `${PUBLIC}/twilio/ok?surveyId=abc`, params, "another-token-0123456789abcdef"],
  ])(
    "rejects a request %s, explaining the usual PUBLIC_BASE_URL mismatch without secrets",
    async (_what, signedUrl, signedParams, token) => {
      logs.length = 0;
      const signature = twilio.getExpectedTwilioSignature(token, signedUrl, signedParams);
      const res = await signedPost(url, "/twilio/ok?surveyId=abc", params, ctx, { signature });
      expect(res.status).toBe(403);
      const line = logs.find((l) => String(l.message).includes("signature invalid"));
      expect(line).toMatchObject({ validatedUrl: `${PUBLIC}/twilio/ok?surveyId=abc` });
      expect(String(line?.hint)).toMatch(/PUBLIC_BASE_URL.*http vs https.*proxy/);
      expect(JSON.stringify(logs)).not.toContain(TOKEN);
    },
  );
});

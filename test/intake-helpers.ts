import { createApiKey } from "../src/intake/api-keys.js";
import type { TestContext } from "./support/context.js";

/** Tuesday 2026-03-31 10:00 in Stockholm: inside the default calling hours. */
export const NOW = new Date("2026-03-31T08:00:00Z");

/** Numbers from the ranges PTS reserves for fiction. */
export const NUMBERS = ["+46701740605", "+46701740606", "+46701740607", "+46701740608", "+46701740609", "+46701740610"];

let seq = 0;

/** A valid completed call that ended a few seconds before NOW; override any field. */
export function call(overrides: Record<string, unknown> = {}) {
  seq += 1;
  return {
    externalCallId: `call-${seq}-${Math.random().toString(36).slice(2, 8)}`,
    callerNumber: "070-174 06 05",
    agent: { externalId: "agent-17", name: "Agent Sjutton" },
    group: { key: "val-1", name: "Val 1 – Socialt stöd, vård och omsorg" },
    startedAt: new Date(NOW.getTime() - 245_000).toISOString(),
    endedAt: new Date(NOW.getTime() - 5_000).toISOString(),
    queueSeconds: 60,
    ...overrides,
  };
}

export async function intakeClient(ctx: TestContext, url: string) {
  const { secret } = await createApiKey(ctx.prisma, ctx.organizationId, "test");
  const auth = { authorization: `Bearer ${secret}` };
  return {
    secret,
    post: (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${url}/api/v1/calls/completed`, {
        method: "POST",
        headers: { "content-type": "application/json", ...auth, ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      }),
    get: (externalCallId: string, headers: Record<string, string> = {}) =>
      fetch(`${url}/api/v1/calls/${encodeURIComponent(externalCallId)}`, { headers: { ...auth, ...headers } }),
  };
}

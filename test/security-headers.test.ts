import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./support/db.js";
import { createTestContext, startTestApp } from "./support/context.js";

/** Parses a CSP header into directive → sources. */
function csp(header: string | null): Map<string, string[]> {
  return new Map(
    (header ?? "")
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name, values]),
  );
}

describe("security headers", () => {
  let db: TestDatabase;
  let https: Awaited<ReturnType<typeof startTestApp>>;
  let http: Awaited<ReturnType<typeof startTestApp>>;

  beforeAll(async () => {
    db = await createTestDatabase();
    https = await startTestApp(await createTestContext(db, { env: { PUBLIC_BASE_URL: "https://nki.example.test" } }));
    http = await startTestApp(await createTestContext(db, { env: { PUBLIC_BASE_URL: "http://127.0.0.1" } }));
  });
  afterAll(async () => {
    await https?.close();
    await http?.close();
    await db?.close();
  });

  it("gives pages a CSP without unsafe-inline, no framing, nosniff and a same-origin referrer", async () => {
    const res = await fetch(`${https.url}/login`);
    expect(res.status).toBe(200);
    const policy = csp(res.headers.get("content-security-policy"));
    expect(policy.get("default-src")).toEqual(["'self'"]);
    expect(policy.get("script-src")).toEqual(["'self'"]);
    expect(policy.get("style-src")).toEqual(["'self'"]);
    expect(policy.get("script-src-attr")).toEqual(["'none'"]);
    expect(policy.get("frame-ancestors")).toEqual(["'none'"]);
    expect(policy.get("object-src")).toEqual(["'none'"]);
    expect(res.headers.get("content-security-policy")).not.toContain("unsafe-inline");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("same-origin");
  });

  it("sends the same headers on API answers, errors and Twilio webhooks", async () => {
    for (const path of ["/api/openapi.json", "/api/v1/nope", "/healthz", "/assets/app.css"]) {
      const res = await fetch(`${https.url}${path}`);
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(csp(res.headers.get("content-security-policy")).get("frame-ancestors"), path).toEqual(["'none'"]);
    }
    const twilio = await fetch(`${https.url}/twilio/voice`, { method: "POST" });
    expect(twilio.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("sends HSTS only when the public address is https", async () => {
    const secure = await fetch(`${https.url}/login`);
    expect(secure.headers.get("strict-transport-security")).toMatch(/^max-age=31536000/);
    const plain = await fetch(`${http.url}/login`);
    expect(plain.headers.get("strict-transport-security")).toBeNull();
  });
});

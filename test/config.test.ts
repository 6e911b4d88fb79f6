import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/lib/config.js";

describe("configuration", () => {
  it("starts on embedded defaults with no environment at all", () => {
    const c = loadConfig({});
    expect(c.embeddedDatabase).toBe(true);
    expect(c.useSimulator).toBe(true);
    expect(c.demoTraffic).toBe(true);
    expect(c.publicBaseUrl).toBe("http://localhost:3000");
  });

  it("names the bad variable and why", () => {
    expect(() => loadConfig({ SAMPLE_RATE: "1.5" })).toThrow(/SAMPLE_RATE: .*(1|less)/);
    expect(() => loadConfig({ CALLING_HOURS: "weekdays" })).toThrow(
      /CALLING_HOURS: expected 'always' or e.g. 'mon-fri 08:00-20:00'/,
    );
    expect(() => loadConfig({ PORT: "http" })).toThrow(ConfigError);
  });

  it("refuses to start in production without an explicit number key and public URL", () => {
    expect(() => loadConfig({ NODE_ENV: "production", DATABASE_URL: "postgresql://db/nki" })).toThrow(
      /NUMBER_KEY: required in production[\s\S]*PUBLIC_BASE_URL: required in production/,
    );
  });

  it("wants all three Twilio credentials or none, and never runs demo traffic on real Twilio", () => {
    expect(() => loadConfig({ TWILIO_ACCOUNT_SID: "AC" + "0".repeat(32) })).toThrow(
      /TWILIO_ACCOUNT_SID: set .* together/,
    );
    const c = loadConfig({
      TWILIO_ACCOUNT_SID: "AC" + "0".repeat(32),
      TWILIO_AUTH_TOKEN: "x".repeat(32),
      TWILIO_FROM_NUMBER: "+46850000000",
      DEMO_TRAFFIC: "on",
    });
    expect(c.useSimulator).toBe(false);
    expect(c.demoTraffic).toBe(false);
  });

  it("treats empty values as unset, as in a copied .env.example", () => {
    expect(loadConfig({ DATABASE_URL: "", SAMPLE_RATE: "" }).embeddedDatabase).toBe(true);
  });
});

describe("TRUST_PROXY", () => {
  it("is off by default and takes a hop count or the proxies' addresses, never 'true'", () => {
    expect(loadConfig({}).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: "off" }).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: "1" }).TRUST_PROXY).toBe(1);
    expect(loadConfig({ TRUST_PROXY: "loopback, 10.0.0.0/8" }).TRUST_PROXY).toEqual(["loopback", "10.0.0.0/8"]);
    expect(() => loadConfig({ TRUST_PROXY: "true" })).toThrow(/TRUST_PROXY: expected off, a number of proxy hops/);
  });
});

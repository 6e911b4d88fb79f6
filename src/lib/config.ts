import { z } from "zod";

/**
 * The one place that reads the environment. Every key is documented in
 * .env.example; `loadConfig` refuses to start with a message naming the bad
 * variable. Empty strings count as unset, so `FOO=` in a .env file is harmless.
 */
const bool = z
  .enum(["true", "false", "on", "off", "1", "0", "yes", "no"])
  .transform((v) => ["true", "on", "1", "yes"].includes(v));

/**
 * Express's "trust proxy": off, a number of proxy hops, or the proxies'
 * addresses/subnets (or loopback, linklocal, uniquelocal). Never "true": that
 * trusts whatever X-Forwarded-For a client sends.
 */
const trustProxy = z
  .string()
  .trim()
  .regex(
    /^(off|false|no|0|[1-9]|(loopback|linklocal|uniquelocal|[0-9a-fA-F.:]+(\/\d{1,3})?)(\s*,\s*(loopback|linklocal|uniquelocal|[0-9a-fA-F.:]+(\/\d{1,3})?))*)$/,
    "expected off, a number of proxy hops (1-9), or the proxies' addresses/subnets, e.g. 10.0.0.5 or loopback,10.0.0.0/8",
  )
  .transform((v): false | number | string[] =>
    /^(off|false|no|0)$/.test(v) ? false : /^\d$/.test(v) ? Number(v) : v.split(",").map((p) => p.trim()),
  );

const callingHours = z
  .string()
  .regex(
    /^(always|((mon|tue|wed|thu|fri|sat|sun)(-(mon|tue|wed|thu|fri|sat|sun))?(,(mon|tue|wed|thu|fri|sat|sun)(-(mon|tue|wed|thu|fri|sat|sun))?)* \d{2}:\d{2}-\d{2}:\d{2}))$/,
    "expected 'always' or e.g. 'mon-fri 08:00-20:00'",
  );

export const configSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().default("0.0.0.0"),
    LOG_LEVEL: z.enum(["error", "warn", "info", "http", "verbose", "debug", "silly"]).default("info"),
    LOG_FORMAT: z.enum(["pretty", "json"]).optional(),
    LOG_PER_CALL: bool.optional(),
    DATABASE_URL: z.string().url().optional(),
    DATA_DIR: z.string().default("./data"),
    PUBLIC_BASE_URL: z.string().url().optional(),
    NUMBER_KEY: z
      .string()
      .regex(/^[A-Za-z0-9+/]{43}=$/, "expected 32 random bytes in base64 (openssl rand -base64 32)")
      .optional(),
    SEED_API_KEY: z.string().min(24, "use at least 24 characters").optional(),
    DEFAULT_ORG_SLUG: z
      .string()
      .regex(/^[a-z0-9-]{2,40}$/)
      .default("kundcenter"),
    DEFAULT_ORG_NAME: z.string().min(1).default("Kundcenter"),
    DEFAULT_TIME_ZONE: z.string().default("Europe/Stockholm"),
    SAMPLE_RATE: z.coerce.number().min(0).max(1).optional(),
    CALLING_HOURS: callingHours.optional(),
    SURVEY_DELAY_SECONDS: z.coerce.number().int().min(0).max(86_400).optional(),
    TWILIO_ACCOUNT_SID: z
      .string()
      .regex(/^AC[0-9a-fA-F]{32}$/, "expected AC followed by 32 hex digits")
      .optional(),
    TWILIO_AUTH_TOKEN: z.string().min(16).optional(),
    TWILIO_FROM_NUMBER: z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/, "expected an E.164 number")
      .optional(),
    TWILIO_API_URL: z.string().url().optional(),
    DEMO_TRAFFIC: bool.optional(),
    DEMO_CALLS_PER_MINUTE: z.coerce.number().min(0).max(6000).default(20),
    SIMULATOR_TIME_SCALE: z.coerce.number().min(0).max(10).default(0.05),
    SIMULATOR_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
    SIMULATOR_HOST: z.string().default("127.0.0.1"),
    SIMULATOR_PUBLIC_URL: z.string().url().optional(),
    SMS_MESSAGING_SERVICE_SID: z
      .string()
      .regex(/^MG[0-9a-fA-F]{32}$/, "expected MG followed by 32 hex digits")
      .optional(),
    SMS_FROM: z
      .string()
      .regex(
        /^(\+[1-9]\d{6,14}|(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11})$/,
        "expected an E.164 number or an alphanumeric sender id of at most 11 characters",
      )
      .optional(),
    SMS_PER_SECOND: z.coerce.number().positive().max(100).default(1),
    DISPATCH_CALLS_PER_SECOND: z.coerce.number().positive().max(100).default(1),
    DISPATCH_MAX_CONCURRENT: z.coerce.number().int().positive().max(1000).default(20),
    DELETE_RECORDINGS_FROM_TWILIO: bool.default(true),
    SEED_ADMIN_EMAIL: z.string().email().optional(),
    SEED_ADMIN_PASSWORD: z.string().min(12, "use at least 12 characters").optional(),
    SESSION_IDLE_MINUTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60)
      .default(120),
    SESSION_MAX_HOURS: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 30)
      .default(12),
    OIDC_ISSUER: z.string().url().optional(),
    OIDC_CLIENT_ID: z.string().min(1).optional(),
    OIDC_CLIENT_SECRET: z.string().min(1).optional(),
    OIDC_BUTTON_LABEL: z.string().min(1).max(60).default("Microsoft Entra ID"),
    TRUST_PROXY: trustProxy.default(false),
    EXCHANGE_TOKEN: z.string().min(24, "use at least 24 characters").optional(),
    EXCHANGE_SIGNING_KEY: z
      .string()
      .regex(/^[A-Za-z0-9+/]+={0,2}$/, "expected an Ed25519 private key, PKCS#8 DER in base64")
      .optional(),
    EXCHANGE_PULL_TIMEOUT_SECONDS: z.coerce.number().min(1).max(120).default(10),
    DEMO_HISTORY: bool.optional(),
    // --- voice-message storage (src/recordings) ---
    STORAGE: z.enum(["postgres", "s3", "local"]).default("postgres"),
    S3_ENDPOINT: z.string().url().optional(),
    S3_BUCKET: z.string().min(3).max(63).optional(),
    S3_REGION: z.string().min(1).default("us-east-1"),
    S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    S3_FORCE_PATH_STYLE: bool.default(true),
    AUDIO_KEY: z
      .string()
      .regex(/^[A-Za-z0-9+/]{43}=$/, "expected 32 random bytes in base64 (openssl rand -base64 32)")
      .optional(),
    AUDIO_KEYS_OLD: z
      .string()
      .regex(/^[A-Za-z0-9+/]{43}=(,[A-Za-z0-9+/]{43}=)*$/, "expected comma-separated 32-byte base64 keys")
      .optional(),
    RECORDING_FORMAT: z.enum(["mp3", "wav"]).default("mp3"),
    TRANSCRIPTION_URL: z.string().url().optional(),
    TRANSCRIPTION_MODEL: z.string().min(1).max(200).default("KBLab/kb-whisper-large"),
    TRANSCRIPTION_API_KEY: z.string().min(1).optional(),
    TRANSCRIPTION_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(2),
    TRANSCRIPTION_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(120),
    // --- metrics, readiness, shutdown (src/lib/metrics.ts, src/health.ts) ---
    METRICS_ENABLED: bool.default(true),
    METRICS_TOKEN: z.string().min(24, "use at least 24 characters").optional(),
    METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    METRICS_HOST: z.string().default("127.0.0.1"),
    SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().min(0).max(300).default(20),
    SHUTDOWN_SURVEY_WAIT_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  })
  .superRefine((c, ctx) => {
    const twilio = [c.TWILIO_ACCOUNT_SID, c.TWILIO_AUTH_TOKEN, c.TWILIO_FROM_NUMBER];
    if (twilio.some(Boolean) && !twilio.every(Boolean)) {
      ctx.addIssue({
        code: "custom",
        path: ["TWILIO_ACCOUNT_SID"],
        message:
          "set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER together (or none for the simulator)",
      });
    }
    if (c.NODE_ENV === "production") {
      if (!c.NUMBER_KEY) ctx.addIssue({ code: "custom", path: ["NUMBER_KEY"], message: "required in production" });
      if (!c.PUBLIC_BASE_URL)
        ctx.addIssue({ code: "custom", path: ["PUBLIC_BASE_URL"], message: "required in production" });
    }
    if (Boolean(c.OIDC_ISSUER) !== Boolean(c.OIDC_CLIENT_ID)) {
      ctx.addIssue({
        code: "custom",
        path: ["OIDC_CLIENT_ID"],
        message: "set OIDC_ISSUER and OIDC_CLIENT_ID together (OIDC_CLIENT_SECRET too for a confidential client)",
      });
    }
    if (c.OIDC_CLIENT_SECRET && !c.OIDC_ISSUER) {
      ctx.addIssue({
        code: "custom",
        path: ["OIDC_ISSUER"],
        message: "OIDC_CLIENT_SECRET is set but OIDC_ISSUER is not",
      });
    }
    if (c.NODE_ENV === "production" && !c.AUDIO_KEY)
      ctx.addIssue({ code: "custom", path: ["AUDIO_KEY"], message: "required in production" });
    if (c.STORAGE === "s3" && !c.S3_BUCKET)
      ctx.addIssue({ code: "custom", path: ["S3_BUCKET"], message: "required with STORAGE=s3" });
    if (Boolean(c.S3_ACCESS_KEY_ID) !== Boolean(c.S3_SECRET_ACCESS_KEY))
      ctx.addIssue({
        code: "custom",
        path: ["S3_ACCESS_KEY_ID"],
        message: "set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY together (or neither for the SDK's default chain)",
      });
    if (Boolean(c.SEED_ADMIN_EMAIL) !== Boolean(c.SEED_ADMIN_PASSWORD)) {
      ctx.addIssue({
        code: "custom",
        path: ["SEED_ADMIN_PASSWORD"],
        message: "set SEED_ADMIN_EMAIL and SEED_ADMIN_PASSWORD together",
      });
    }
  });

export type RawConfig = z.infer<typeof configSchema>;

export interface Config extends RawConfig {
  /** PUBLIC_BASE_URL or http://localhost:PORT, without a trailing slash. */
  publicBaseUrl: string;
  /** True when no Twilio credentials are set: the built-in simulator answers. */
  useSimulator: boolean;
  /** True when no DATABASE_URL is set: embedded PostgreSQL (PGlite) in DATA_DIR. */
  embeddedDatabase: boolean;
  /** Demo traffic runs only on the simulator, and can be switched off. */
  demoTraffic: boolean;
  /** LOG_PER_CALL, or on unless demo traffic runs (its minute summary stands in for the per-call lines). */
  logPerCall: boolean;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = configSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".") || "(env)"}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const c = parsed.data;
  const useSimulator = !c.TWILIO_ACCOUNT_SID;
  return {
    ...c,
    publicBaseUrl: (c.PUBLIC_BASE_URL ?? `http://localhost:${c.PORT}`).replace(/\/+$/, ""),
    useSimulator,
    embeddedDatabase: !c.DATABASE_URL,
    demoTraffic: useSimulator && (c.DEMO_TRAFFIC ?? true),
    // The demo's calls would fill a terminal (about 50 lines a minute); its summary says the same once a minute.
    logPerCall: c.LOG_PER_CALL ?? !(useSimulator && (c.DEMO_TRAFFIC ?? true)),
  };
}

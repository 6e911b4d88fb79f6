import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * Caller numbers at rest: AES-256-GCM for the number itself (erased when the
 * survey ends) and a keyed HMAC-SHA256 for matching (opt-outs, once per
 * period) without being able to reverse it. Both keys derive from one
 * 32-byte master key with HKDF so an operator manages a single secret.
 */
export interface NumberCrypto {
  encrypt(e164: string): Buffer;
  decrypt(blob: Uint8Array): string;
  hash(e164: string): string;
  /** Seals and opens web-survey link tokens (src/websurvey/token.ts); same master key, its own HKDF label. */
  sealToken(payload: Buffer): Buffer;
  openToken(sealed: Uint8Array): Buffer | null;
}

const VERSION = 1;

export function createNumberCrypto(masterKey: Buffer): NumberCrypto {
  if (masterKey.length !== 32) throw new Error("number key must be 32 bytes");
  const encKey = Buffer.from(hkdfSync("sha256", masterKey, Buffer.alloc(0), "nki-number-encryption", 32));
  const macKey = Buffer.from(hkdfSync("sha256", masterKey, Buffer.alloc(0), "nki-number-hmac", 32));
  const tokenKey = Buffer.from(hkdfSync("sha256", masterKey, Buffer.alloc(0), "nki-websurvey-token", 32));
  return {
    encrypt(e164) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", encKey, iv);
      const ct = Buffer.concat([cipher.update(e164, "utf8"), cipher.final()]);
      return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), ct]);
    },
    decrypt(blob) {
      const b = Buffer.from(blob);
      if (b[0] !== VERSION) throw new Error("unknown number ciphertext version");
      const decipher = createDecipheriv("aes-256-gcm", encKey, b.subarray(1, 13));
      decipher.setAuthTag(b.subarray(13, 29));
      return Buffer.concat([decipher.update(b.subarray(29)), decipher.final()]).toString("utf8");
    },
    hash(e164) {
      return createHmac("sha256", macKey).update(e164).digest("hex");
    },
    sealToken(payload) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", tokenKey, iv);
      const ct = Buffer.concat([cipher.update(payload), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), ct]);
    },
    openToken(sealed) {
      const b = Buffer.from(sealed);
      if (b.length < 29) return null;
      try {
        const decipher = createDecipheriv("aes-256-gcm", tokenKey, b.subarray(0, 12));
        decipher.setAuthTag(b.subarray(12, 28));
        return Buffer.concat([decipher.update(b.subarray(28)), decipher.final()]);
      } catch {
        return null; // tampered or sealed with another key
      }
    },
  };
}

/**
 * The configured NUMBER_KEY, or on the embedded default a key generated once
 * into DATA_DIR/keys/number.key (mode 0600). Production refuses to start
 * without NUMBER_KEY (see config), so this never silently invents one there.
 */
export function loadNumberKey(configured: string | undefined, dataDir: string): { key: Buffer; source: string } {
  if (configured) return { key: Buffer.from(configured, "base64"), source: "NUMBER_KEY" };
  const file = path.resolve(dataDir, "keys", "number.key");
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, randomBytes(32).toString("base64") + "\n", { mode: 0o600, flag: "wx" });
  }
  chmodSync(file, 0o600);
  const key = Buffer.from(readFileSync(file, "utf8").trim(), "base64");
  if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key`);
  return { key, source: file };
}

import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * The installation's Ed25519 key pair for the benchmark exchange: it signs the
 * documents this installation publishes, and peers verify them with the
 * public key they were given out of band. EXCHANGE_SIGNING_KEY (PKCS#8 DER,
 * base64) or, when unset, a pair generated once into DATA_DIR/keys.
 */
export interface ExchangeKeys {
  privateKey: KeyObject;
  /** SPKI DER, base64: what a peer registers. */
  publicKey: string;
  source: string;
}

export function loadExchangeKeys(configured: string | undefined, dataDir: string): ExchangeKeys {
  if (configured) return fromPrivate(Buffer.from(configured, "base64"), "EXCHANGE_SIGNING_KEY");
  const file = path.resolve(dataDir, "keys", "exchange-ed25519.key");
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync("ed25519");
    const der = privateKey.export({ type: "pkcs8", format: "der" });
    writeFileSync(file, `${der.toString("base64")}\n`, { mode: 0o600, flag: "wx" });
  }
  chmodSync(file, 0o600);
  return fromPrivate(Buffer.from(readFileSync(file, "utf8").trim(), "base64"), file);
}

function fromPrivate(der: Buffer, source: string): ExchangeKeys {
  const privateKey = createPrivateKey({ key: der, format: "der", type: "pkcs8" });
  if (privateKey.asymmetricKeyType !== "ed25519") throw new Error(`${source} is not an Ed25519 private key`);
  const publicKey = createPublicKey(privateKey).export({ type: "spki", format: "der" }).toString("base64");
  return { privateKey, publicKey, source };
}

export const signText = (keys: Pick<ExchangeKeys, "privateKey">, text: string): string =>
  sign(null, Buffer.from(text, "utf8"), keys.privateKey).toString("base64");

/** False for a bad signature, and for a key that is not an Ed25519 public key. */
export function verifyText(publicKey: string, text: string, signature: string): boolean {
  try {
    const key = createPublicKey({ key: Buffer.from(publicKey, "base64"), format: "der", type: "spki" });
    if (key.asymmetricKeyType !== "ed25519") return false;
    return verify(null, Buffer.from(text, "utf8"), key, Buffer.from(signature, "base64"));
  } catch {
    return false;
  }
}

/** Throws unless the text is an Ed25519 public key in SPKI DER base64 (what `peer add --key` takes). */
export function assertPublicKey(publicKey: string): void {
  const key = createPublicKey({ key: Buffer.from(publicKey, "base64"), format: "der", type: "spki" });
  if (key.asymmetricKeyType !== "ed25519") throw new Error("not an Ed25519 public key");
}

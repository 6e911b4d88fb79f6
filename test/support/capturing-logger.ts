import Transport from "winston-transport";
import { createLogger } from "../../src/lib/logger.js";

/**
 * The service's logger with its console transport replaced by one that records
 * every entry reaching it (after the logger's own level filter and format).
 */
export function capturingLogger(level = "info", opts: { format?: "json"; transportLevel?: string } = {}) {
  const seen: Record<string, unknown>[] = [];
  const logger = createLogger(level, opts.format ? { format: opts.format } : {});
  logger.clear();
  logger.add(
    new (class extends Transport {
      override log(info: Record<string, unknown>, next: () => void) {
        seen.push(info);
        next();
      }
    })({ level: opts.transportLevel }),
  );
  return { logger, seen };
}

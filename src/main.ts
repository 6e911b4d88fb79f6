import { ConfigError, loadConfig } from "./lib/config.js";
import { createLogger } from "./lib/logger.js";
import { startService } from "./service.js";

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
const logger = createLogger(config.LOG_LEVEL, { format: config.LOG_FORMAT });
const service = await startService(config, { logger }).catch((err) => {
  logger.error("service failed to start", { err });
  process.exit(1);
});

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info("shutting down", { signal });
  // Bounded: a stuck dependency must not keep an orchestrator waiting forever.
  const timer = setTimeout(() => {
    logger.error("graceful shutdown timed out; exiting");
    process.exit(1);
  }, 15_000);
  timer.unref();
  await service.stop();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));

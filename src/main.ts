import { ConfigError, loadConfig, type Config } from "./lib/config.js";
import { createLogger } from "./lib/logger.js";
import { startService } from "./service.js";

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
const logger = createLogger(config.LOG_LEVEL, { format: config.LOG_FORMAT, perCall: config.logPerCall });
const service = await startService(config, { logger }).catch((err) => {
  logger.error("service failed to start", { err });
  process.exit(1);
});

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info("shutting down", { signal });
  // Bounded: a stuck dependency must not keep an orchestrator waiting forever. stop() itself waits at most
  // SHUTDOWN_SURVEY_WAIT_SECONDS for surveys and SHUTDOWN_GRACE_SECONDS for requests (set the orchestrator's
  // termination grace period above their sum); this is the backstop.
  const timer = setTimeout(
    () => {
      logger.error("graceful shutdown timed out; exiting");
      process.exit(1);
    },
    (config.SHUTDOWN_SURVEY_WAIT_SECONDS + config.SHUTDOWN_GRACE_SECONDS + 15) * 1000,
  );
  timer.unref();
  await service.stop();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));

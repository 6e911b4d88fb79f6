import { randomBytes } from "node:crypto";
import type { CliCommand } from "../../cli.js";
import { createLogger } from "../../lib/logger.js";
import { startSimulator } from "./index.js";

/**
 * `npm run simulator` (= `npm run cli -- simulator`): the Twilio simulator as
 * its own process, for load tests and staging. The service is then started
 * with TWILIO_API_URL pointing here and the same TWILIO_ACCOUNT_SID /
 * TWILIO_AUTH_TOKEN; without them set, the simulator makes up an account and
 * prints it.
 */
export const simulatorCommand: CliCommand = {
  usage: "[--port N] [--time-scale X]   run the Twilio-compatible simulator (SIMULATOR_PORT, SIMULATOR_TIME_SCALE)",
  async run(args, { config }) {
    const flag = (name: string) => {
      const i = args.indexOf(name);
      return i >= 0 ? args[i + 1] : undefined;
    };
    const port = Number(flag("--port") ?? config.SIMULATOR_PORT);
    const timeScale = Number(flag("--time-scale") ?? config.SIMULATOR_TIME_SCALE);
    if (!Number.isInteger(port) || port < 0 || port > 65535 || !Number.isFinite(timeScale) || timeScale < 0) {
      console.error("usage: npm run simulator -- [--port N] [--time-scale X]");
      return 2;
    }
    const accountSid = config.TWILIO_ACCOUNT_SID ?? `AC${randomBytes(16).toString("hex")}`;
    const authToken = config.TWILIO_AUTH_TOKEN ?? randomBytes(16).toString("hex");
    // A long-running process: it logs at the configured level, unlike the one-shot commands.
    const logger = createLogger(config.LOG_LEVEL, { format: config.LOG_FORMAT });
    const sim = await startSimulator({
      accountSid,
      authToken,
      port,
      host: config.SIMULATOR_HOST,
      timeScale,
      logger,
      publicUrl: config.SIMULATOR_PUBLIC_URL,
    });
    const base = config.SIMULATOR_PUBLIC_URL ?? sim.url;
    if (!config.TWILIO_ACCOUNT_SID) {
      console.log(
        `Start the service against this simulator with:\n  TWILIO_API_URL=${base} TWILIO_ACCOUNT_SID=${accountSid} TWILIO_AUTH_TOKEN=${authToken} TWILIO_FROM_NUMBER=+46850000000 npm start`,
      );
    } else {
      console.log(`Simulating account ${accountSid} at ${base}; start the service with TWILIO_API_URL=${base}`);
    }
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await sim.stop();
    return 0;
  },
};

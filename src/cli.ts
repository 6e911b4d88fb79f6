/**
 * Operator commands: `npm run cli -- <command> [args]`. They work whether or not
 * the service is running (the embedded database is reached through the running
 * service's socket, or opened directly).
 */
import { ConfigError, loadConfig, type Config } from "./lib/config.js";
import { createLogger, type Logger } from "./lib/logger.js";

export interface CliCommand {
  /** One line for the help text, with its arguments. */
  usage: string;
  run(args: string[], env: { config: Config; logger: Logger }): Promise<number>;
}

// Features register their commands here.
const commands: Record<string, () => Promise<CliCommand>> = {
  user: async () => (await import("./auth/cli.js")).userCommand,
  "forget-number": async () => (await import("./retention/cli.js")).forgetNumberCommand,
  simulator: async () => (await import("./telephony/simulator/cli.js")).simulatorCommand,
  "api-key": async () => (await import("./intake/cli.js")).apiKeyCommand,
  "import-csv": async () => (await import("./intake/cli.js")).importCsvCommand,
  backup: async () => (await import("./lib/backup-cli.js")).backupCommand,
  restore: async () => (await import("./lib/backup-cli.js")).restoreCommand,
  peer: async () => (await import("./exchange/cli.js")).peerCommand,
  published: async () => (await import("./exchange/cli.js")).publishedCommand,
  storage: async () => (await import("./recordings/cli.js")).storageCommand,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === "help" || name === "--help" || !commands[name]) {
    const lines = await Promise.all(
      Object.entries(commands).map(async ([n, load]) => `  ${n} ${(await load()).usage}`),
    );
    console.log(`usage: npm run cli -- <command>\n\ncommands:\n${lines.join("\n")}`);
    return name && name !== "help" && name !== "--help" ? 2 : 0;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
  // CLI output is for humans; logs go to stderr so stdout stays parseable.
  const logger = createLogger(config.LOG_LEVEL === "info" ? "warn" : config.LOG_LEVEL);
  return (await commands[name]()).run(args, { config, logger });
}

process.exitCode = await main(process.argv.slice(2));

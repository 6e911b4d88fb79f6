import path from "node:path";
import { parseArgs } from "node:util";
import type { CliCommand } from "../cli.js";
import { createNumberCrypto, loadNumberKey } from "../lib/crypto.js";
import { openDatabase } from "../lib/db.js";
import { AppError } from "../lib/errors.js";
import { migrate } from "../lib/migrate.js";
import { createRecordingStorage } from "../recordings/storage-factory.js";
import { forgetNumber } from "./forget.js";

const USAGE =
  "<number> [--org <slug>] [--remove-opt-out]   anonymise one caller number on request (opt-outs are kept unless --remove-opt-out)";

export const forgetNumberCommand: CliCommand = {
  usage: USAGE,
  async run(args, { config, logger }) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { org: { type: "string" }, "remove-opt-out": { type: "boolean", default: false } },
    });
    if (positionals.length !== 1) {
      console.error(`usage: npm run cli -- forget-number ${USAGE}`);
      return 2;
    }
    const dataDir = path.resolve(config.DATA_DIR);
    const db = await openDatabase({ url: config.DATABASE_URL, dataDir, logger, poolSize: 2 });
    try {
      await migrate(db.url, logger);
      let organizationId: string | undefined;
      if (values.org) {
        const org = await db.prisma.organization.findUnique({ where: { slug: values.org }, select: { id: true } });
        if (!org) throw new AppError("not_found", `No organization with slug ${values.org}`);
        organizationId = org.id;
      }
      const r = await forgetNumber(
        {
          prisma: db.prisma,
          logger,
          now: () => new Date(),
          numbers: createNumberCrypto(loadNumberKey(config.NUMBER_KEY, dataDir).key),
          storage: createRecordingStorage(config, { prisma: db.prisma, dataDir }).storage,
        },
        { number: positionals[0], organizationId, removeOptOut: values["remove-opt-out"] },
      );
      console.log(
        `Anonymised: ${r.calls} call(s), ${r.voiceMessages} voice message(s) deleted, ${r.surveysCanceled} waiting survey(s) canceled; opt-out: ${r.optOut}` +
          (r.optOut === "kept"
            ? " (the number stays blocked from survey calls, as the citizen asked; --remove-opt-out removes it)"
            : ""),
      );
      return 0;
    } catch (err) {
      if (err instanceof AppError) {
        console.error(err.message);
        return 1;
      }
      throw err;
    } finally {
      await db.close();
    }
  },
};

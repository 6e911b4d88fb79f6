import { parseArgs } from "node:util";
import { createInterface } from "node:readline";
import path from "node:path";
import type { CliCommand } from "../cli.js";
import { openDatabase } from "../lib/db.js";
import { AppError } from "../lib/errors.js";
import { migrate } from "../lib/migrate.js";
import { ensureAgent, ensureOrganization } from "../organizations/service.js";
import { createUser, roleSchema, setPassword } from "./users.js";

const USAGE =
  "create --email E --name N --role admin|manager|agent [--agent <externalId>] [--org <slug>] [--password P]  |  password --email E [--password P]";

/** Reads a password from the terminal without echo, or one line from a pipe. */
async function promptPassword(label: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
  if (process.stdin.isTTY) {
    // Print the prompt, then swallow the echo of what is typed.
    const out = rl as unknown as { _writeToOutput: (s: string) => void };
    process.stdout.write(label);
    out._writeToOutput = () => {};
  }
  const line: string = await new Promise((resolve) => rl.question(process.stdin.isTTY ? "" : "", resolve));
  rl.close();
  if (process.stdin.isTTY) process.stdout.write("\n");
  return line.trim();
}

export const userCommand: CliCommand = {
  usage: USAGE,
  async run(args, { config, logger }) {
    const [sub, ...rest] = args;
    const { values } = parseArgs({
      args: rest,
      options: {
        email: { type: "string" },
        name: { type: "string" },
        role: { type: "string" },
        agent: { type: "string" },
        org: { type: "string" },
        password: { type: "string" },
      },
    });
    if (
      (sub !== "create" && sub !== "password") ||
      !values.email ||
      (sub === "create" && (!values.name || !values.role))
    ) {
      console.error(`usage: npm run cli -- user ${USAGE}`);
      return 2;
    }
    const db = await openDatabase({
      url: config.DATABASE_URL,
      dataDir: path.resolve(config.DATA_DIR),
      logger,
      poolSize: 2,
    });
    try {
      await migrate(db.url, logger);
      const password = values.password ?? (await promptPassword("Password (at least 12 characters): "));
      if (sub === "password") {
        const user = await db.prisma.user.findUnique({
          where: { email: values.email.toLowerCase() },
          select: { id: true },
        });
        if (!user) throw new AppError("not_found", `No user with e-mail ${values.email}`);
        await setPassword(db.prisma, user.id, password);
        console.log(`Password changed for ${values.email}`);
        return 0;
      }
      const role = roleSchema.parse(values.role);
      const slug = values.org ?? config.DEFAULT_ORG_SLUG;
      // The default organization is created here too, so a first admin can exist before the first start.
      const org =
        slug === config.DEFAULT_ORG_SLUG
          ? await ensureOrganization(db.prisma, {
              slug,
              name: config.DEFAULT_ORG_NAME,
              timeZone: config.DEFAULT_TIME_ZONE,
            })
          : await db.prisma.organization.findUnique({ where: { slug }, select: { id: true } });
      if (!org) throw new AppError("not_found", `No organization with slug ${slug}`);
      const agent = values.agent ? await ensureAgent(db.prisma, org.id, values.agent) : null;
      if (role === "agent" && !agent)
        throw new AppError(
          "validation_failed",
          "An agent account needs --agent <externalId> (the agent id of the telephony system)",
        );
      const user = await createUser(db.prisma, {
        organizationId: org.id,
        email: values.email,
        name: values.name!,
        role,
        agentId: agent?.id ?? null,
        password,
      });
      console.log(
        `Created ${user.role} ${user.email}${agent ? ` linked to agent ${agent.externalId}` : ""} in ${slug}`,
      );
      return 0;
    } catch (err) {
      if (err instanceof AppError) {
        console.error(err.message);
        return 1;
      }
      if (err instanceof Error && err.name === "ZodError") {
        console.error(`--role must be admin, manager or agent`);
        return 1;
      }
      throw err;
    } finally {
      await db.close();
    }
  },
};

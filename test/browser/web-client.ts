import type { Role } from "../../src/generated/prisma/enums.js";
import { createUser } from "../../src/auth/users.js";
import { ensureAgent, ensureGroup } from "../../src/organizations/service.js";
import type { TestContext } from "../support/context.js";

/** A cookie-keeping HTTP client for page-level tests (what a browser would send, without one). */
export class WebClient {
  readonly cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  private remember(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const i = pair.indexOf("=");
      const name = pair.slice(0, i);
      const value = pair.slice(i + 1);
      if (/max-age=0/i.test(line) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  async get(path: string, opts: { accept?: string; headers?: Record<string, string> } = {}): Promise<Response> {
    const res = await fetch(this.base + path, {
      redirect: "manual",
      headers: { accept: opts.accept ?? "text/html", cookie: this.cookieHeader(), ...opts.headers },
    });
    this.remember(res);
    return res;
  }

  async post(
    path: string,
    form: Record<string, string> | URLSearchParams,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const res = await fetch(this.base + path, {
      method: "POST",
      redirect: "manual",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        accept: "text/html",
        cookie: this.cookieHeader(),
        ...headers,
      },
      body: new URLSearchParams(form).toString(),
    });
    this.remember(res);
    return res;
  }

  /** Loads a page and returns the CSRF token of its first form. */
  async csrfFrom(path: string): Promise<string> {
    const html = await (await this.get(path)).text();
    const m = /name="_csrf" value="([^"]+)"/.exec(html);
    if (!m) throw new Error(`no CSRF token on ${path}`);
    return m[1];
  }

  async signIn(email: string, password: string): Promise<Response> {
    const csrf = await this.csrfFrom("/login");
    return this.post("/login", { email, password, _csrf: csrf });
  }
}

let seq = 0;
export const TEST_PASSWORD = "correct horse battery staple";

/** A user of the test organization; agents get their own Agent row (and group membership via answers). */
export async function makeUser(
  ctx: TestContext,
  role: Role,
  opts: { agentExternalId?: string; email?: string; name?: string } = {},
) {
  seq += 1;
  const agent =
    role === "agent"
      ? await ensureAgent(
          ctx.prisma,
          ctx.organizationId,
          opts.agentExternalId ?? `agent-${seq}-${Date.now()}`,
          opts.name ?? `Agent ${seq}`,
        )
      : null;
  const user = await createUser(ctx.prisma, {
    organizationId: ctx.organizationId,
    email: opts.email ?? `${role}${seq}.${Date.now()}@kommun.example`,
    name: opts.name ?? `Testperson ${seq}`,
    role,
    agentId: agent?.id ?? null,
    password: TEST_PASSWORD,
  });
  return { user, agent };
}

export async function makeGroup(ctx: TestContext, key: string, name?: string) {
  return ensureGroup(ctx.prisma, ctx.organizationId, key, name ?? key);
}

import type { AppContext } from "../context.js";
import { audit } from "../audit/log.js";
import type { SignInAttempt } from "./throttle.js";

/**
 * Every refused sign-in goes to the audit log with the client's address, under
 * the account's organization when the account exists and the default
 * organization otherwise (the typed e-mail is not stored: it may be anything).
 */
export async function auditRefusedSignIn(
  ctx: AppContext,
  attempt: SignInAttempt,
  detail: { reason: "throttled" | "bad_credentials"; scope?: string; retryAfterSeconds?: number },
): Promise<void> {
  const account = attempt.email
    ? await ctx.prisma.user.findUnique({ where: { email: attempt.email }, select: { id: true, organizationId: true } })
    : null;
  const organizationId =
    account?.organizationId ??
    (await ctx.prisma.organization.findUnique({ where: { slug: ctx.config.DEFAULT_ORG_SLUG }, select: { id: true } }))
      ?.id;
  if (!organizationId) {
    ctx.logger.warn("refused sign-in not audited: no such account and no default organization", {
      ip: attempt.ip,
      ...detail,
    });
    return;
  }
  await audit(ctx.prisma, {
    organizationId,
    action: "auth.login_refused",
    targetType: account ? "user" : null,
    targetId: account?.id ?? null,
    detail: { ...detail, knownAccount: !!account },
    ip: attempt.ip,
  });
}

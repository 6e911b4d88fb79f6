import type { AppContext } from "../context.js";
import type { SessionUser } from "../auth/middleware.js";
import type { Lang } from "./i18n.js";
import type { OverviewExtras } from "./pages/overview.js";
import type { OverviewPeriodKey } from "./data/overview.js";

/**
 * The funnel and coaching sections of the overview, from the results
 * feature's funnel and coaching functions.
 */
export async function overviewExtras(_ctx: AppContext, _user: SessionUser, _key: OverviewPeriodKey, _lang: Lang): Promise<OverviewExtras> {
  return {};
}

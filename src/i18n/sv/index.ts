import { websurvey } from "./websurvey.js";
import { transcripts } from "./transcripts.js";
import { queue } from "./queue.js";
import { audit } from "./audit.js";
import { survey } from "./survey.js";
import { terms } from "./terms.js";
import { reports } from "./reports.js";
import { agent } from "./agent.js";
import { overview } from "./overview.js";
import { common } from "./common.js";
import { admin } from "./admin.js";
import { errors } from "./errors.js";
import { auth } from "./auth.js";
import { shell } from "./shell.js";

/** The Swedish catalogue: every user-visible text, namespaced by feature. */
export const sv = {
  shell,
  auth,
  errors,
  admin,
  common,
  overview,
  agent,
  reports,
  terms,
  survey,
  audit,
  queue,
  transcripts,
  websurvey,
};

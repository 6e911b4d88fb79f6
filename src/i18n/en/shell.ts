import type { Messages } from "../messages.js";

/** English texts: the page shell (layout, navigation). */
export const shell: Messages["shell"] = {
  skip: "Skip to content",
  brand: "NKI contact centre",
  nav: "Main menu",
  me: "My results",
  overview: "Overview",
  queue: "Listening queue",
  search: "Search",
  weekly: "Weekly report",
  period: "Tertial report",
  admin: "Administration",
  audit: "Audit log",
  signOut: "Sign out",
  signedInAs: "Signed in as",
  otherLang: "Svenska",
  otherLangCode: "sv",
  roles: { admin: "administrator", manager: "unit manager", agent: "agent" },
};

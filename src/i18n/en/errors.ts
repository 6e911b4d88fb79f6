import type { Messages } from "../messages.js";

/** English texts: the app's own error pages (src/web/error-page.ts). */
export const errors: Messages["errors"] = {
  badRequest: { title: "Bad request", text: "What was sent could not be read. Go back and try again." },
  forbidden: { title: "Not allowed", text: "Your role does not have access to this page." },
  notFound: { title: "Page not found", text: "Check the address." },
  serverError: {
    title: "Something went wrong",
    text: "An error occurred on our side. Try again in a while; if it persists, contact your administrator.",
  },
  home: "Go to the start page",
};

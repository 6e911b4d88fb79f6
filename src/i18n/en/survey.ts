import type { Messages } from "../messages.js";

/** English texts the survey call speaks besides its flow file. */
export const survey: Messages["survey"] = {
  /** Read out where the greeting says where to read more, when the organization has not set its own. */
  privacyInfoFallback: "the municipality's website",
};

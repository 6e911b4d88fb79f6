/** Swedish texts the survey call speaks besides its flow file. */
export const survey = {
  /** Read out where the greeting says where to read more, when the organization has not set its own. */
  privacyInfoFallback: "kommunens webbplats",
};

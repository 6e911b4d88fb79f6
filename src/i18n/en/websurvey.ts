import { int } from "../format.js";
import type { Messages } from "../messages.js";

/** English texts: the web survey page chrome. */
export const websurvey: Messages["websurvey"] = {
  title: "What did you think of the call?",
  intro: (org: string) =>
    `You recently spoke with ${org}. Please answer a few short questions; it takes about a minute.`,
  progress: (n: number, total: number) => `Question ${n} of ${total}`,
  scaleHint: (low: string, high: string) => `1 means ${low.toLowerCase()}, 5 means ${high.toLowerCase()}.`,
  next: "Next",
  commentLabel: "Your comment (optional)",
  send: "Send",
  thanks: "Thank you for your answers!",
  thanksText: "Your answers help us improve. You can close this page now.",
  byPhone: "You have already answered the survey by phone. Thank you!",
  closed: "The survey is closed",
  closedText: "This survey takes no more answers. Thank you all the same for wanting to answer.",
  expired: "The link has expired",
  expiredText: "The link to the survey was valid for seven days and has now expired. Thank you all the same.",
  invalid: "The link does not work",
  invalidText:
    "We cannot find a survey for this link. Check that the whole link from the text message came along. Thank you for wanting to answer.",
  errorTitle: "Something needs correcting",
  privacy: "Your answers are stored without your name or phone number.",
  readMore: "Read more about how the municipality handles personal data:",
  brand: "Customer survey",
  defaultLow: "Very dissatisfied",
  defaultHigh: "Very satisfied",
  defaultComment: "Would you like to add something in your own words?",
  refused: {
    score: (min: number, max: number) => `the answer must be ${min}–${max}`,
    commentMax: (n: number) => `at most ${int("en", n)} characters`,
    noSuchQuestion: "there is no such question in this survey",
    oneAnswerAtATime: "one answer at a time",
  },
};

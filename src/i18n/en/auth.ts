import type { Messages } from "../messages.js";

/** English texts: auth; terms as in docs/glossary.md. */
export const auth: Messages["auth"] = {
  tooManySignIn: "Too many sign-in attempts. Wait a while and try again.",
  youAreSignedOut: "You are signed out.",
  passwordWasChangedSign: "The password was changed. Sign in with the new one.",
  signInFailedOr: "Sign-in failed or there is no account. Contact the administrator.",
  wrongEMailAddress: "Wrong e-mail address or password.",
  signOut: "Sign out",
  signIn: "Sign in",
  resultsOfCustomerSurvey: "Results of the customer survey after calls to the contact centre.",
  eMailAddress: "E-mail address",
  password: "Password",
  or: "Or",
  signInWith: "Sign in with",
  newPassword: "New password",
  linkWasAlreadyUsed: "The link was already used or has expired. Ask an administrator for a new one.",
  toSignIn: "To sign-in",
  for: "For",
  newPasswordAtLeast: "New password (at least 12 characters)",
  samePasswordAgain: "The same password again",
  savePassword: "Save the password",
  samePasswordAgainPasswords: "The same password again: the passwords differ.",
  newPassword12To: "New password: 12 to 256 characters.",
};

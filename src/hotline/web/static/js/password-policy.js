// A refused password or code, said in the user's language (the server's codes and reasons).
import { t } from "./i18n.js";

const REASONS = {
  too_short: () => t("The password is too short: at least 8 characters."),
  too_long: () => t("The password is too long: at most 256 characters."),
  guessable: () =>
    t("The password is too easy to guess. Use a phrase of uncommon words; avoid names, dates and common passwords."),
};

const CODES = {
  "auth.bad_credentials": () => t("The current password is wrong."),
  "auth.totp_invalid": () => t("The code does not match. Try the newest one."),
  "auth.totp_required": () => t("Enter the code from your authenticator app."),
  "auth.throttled": () => t("Too many failed attempts. Try again later."),
};

/** A translated message for an ApiError about a password or a code, or null. */
export function securityMessage(error) {
  if (error?.code === "auth.weak_password") {
    return (REASONS[error.details?.reason] || REASONS.guessable)();
  }
  return CODES[error?.code] ? CODES[error.code]() : null;
}

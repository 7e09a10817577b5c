// A campaign's settings as the campaigns screen writes them, one a line: retries
// (`busy 10 5`: outcome, minutes between, attempts; `max 8`: all outcomes together) and
// dispositions (`sale | 成交 | Sale | right_party conversion | done`, or the flags and what
// happens next in Chinese: `本人接通 转化 | 完成`), read into the API's shapes and
// written back; and the abandon-rate window's name.
import { language, t } from "./i18n.js";

const OUTCOMES = ["busy", "no_answer", "machine", "abandoned", "refused", "failed", "connected"];
// What a disposition does to its record next, by its word in each language.
const THEN = { done: "完成", retry: "重拨", invalid: "错号", dnc: "勿扰" };

/** The window a campaign's abandon rate is counted over: the two regulators' words. */
export function windowName(seconds) {
  if (seconds === 86400) return t("24 h");
  if (seconds === 2592000) return t("30 days");
  return t("%(h)s h", { h: Math.round(seconds / 3600) });
}

export function parseRetry(text, FieldError) {
  const retry = {};
  for (const [index, raw] of text.split(/\n/).entries()) {
    const words = raw.trim().split(/\s+/).filter(Boolean);
    if (!words.length) continue;
    const line = index + 1;
    if (words[0] === "max" && words.length === 2) {
      retry.max_attempts = Number(words[1]);
      continue;
    }
    if (!OUTCOMES.includes(words[0]) || words.length !== 3 || words.slice(1).some((w) => Number.isNaN(Number(w)))) {
      throw new FieldError(t("Retries, line %(line)s: write an outcome (%(outcomes)s), the minutes between calls and the attempts.", { line, outcomes: OUTCOMES.join(", ") }));
    }
    retry[words[0]] = { interval_s: Number(words[1]) * 60, max_attempts: Number(words[2]) };
  }
  return retry;
}

export function writeRetry(retry) {
  const lines = [];
  for (const [key, rule] of Object.entries(retry || {})) {
    if (key === "max_attempts") lines.push(`max ${rule}`);
    // a machine's action and message have their own fields on the form
    else if (rule.interval_s !== undefined) lines.push(`${key} ${rule.interval_s / 60} ${rule.max_attempts}`);
  }
  return lines.join("\n");
}

export function parseDispositions(text, FieldError) {
  const out = [];
  for (const [index, raw] of text.split(/\n/).entries()) {
    if (!raw.trim()) continue;
    const parts = raw.split(/[|｜]/).map((s) => s.trim());
    if (parts.length < 3) {
      throw new FieldError(t("Dispositions, line %(line)s: write a code, the Chinese and the English name, separated by |.", { line: index + 1 }));
    }
    const flags = (parts[3] || "").split(/[\s,，]+/);
    const word = parts[4] || "done";
    const then = Object.keys(THEN).find((key) => key === word || THEN[key] === word);
    if (!then) {
      const en = language() === "en";
      const words = Object.keys(THEN).map((key) => (en ? key : THEN[key])).join(en ? ", " : "、");
      throw new FieldError(t("Dispositions, line %(line)s: what happens next is one of %(words)s.", { line: index + 1, words }));
    }
    out.push({
      code: parts[0], label_zh: parts[1], label_en: parts[2],
      right_party: flags.includes("right_party") || flags.includes("本人接通"),
      conversion: flags.includes("conversion") || flags.includes("转化"),
      then,
    });
  }
  return out;
}

export function writeDispositions(items) {
  return (items || []).map((d) => {
    const zh = language() !== "en";
    const flags = [d.right_party && (zh ? "本人接通" : "right_party"), d.conversion && (zh ? "转化" : "conversion")].filter(Boolean).join(" ");
    const then = d.then || "done";
    return [d.code, d.label_zh, d.label_en, flags, zh ? THEN[then] : then].join(" | ");
  }).join("\n");
}

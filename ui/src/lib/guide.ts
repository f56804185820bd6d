// The first-run guide: its steps, and which of them are done. What the data knows by itself
// (an account exists, start at login is on) ticks a step without the person saying so.

import { backend, type GuideProgress, type QuietDay } from "./backend";

export type GuideStep = "account" | "notification" | "quiet" | "login" | "keys";

export interface GuideFacts {
  progress: GuideProgress;
  accounts: number;
  /** Null when the desktop cannot say. */
  startAtLogin: boolean | null;
}

export function stepsDone({ progress, accounts, startAtLogin }: GuideFacts): Record<GuideStep, boolean> {
  return {
    account: accounts > 0,
    notification: progress.notificationTested,
    quiet: progress.quietHoursChecked,
    login: startAtLogin === true || progress.startAtLoginAnswered,
    keys: progress.finished,
  };
}

/** Quiet hours in one sentence: the common case (the same every night) said plainly. */
export function quietHoursWords(days: readonly QuietDay[]): string {
  const on = days.filter((d) => d.enabled);
  if (on.length === 0) return "No quiet hours: notifications come at any time.";
  const [first] = on;
  if (first && on.length === days.length && on.every((d) => d.start === first.start && d.end === first.end)) {
    return `Every night from ${first.start} to ${first.end}.`;
  }
  return `On ${on.length} of 7 days, at times that differ from day to day.`;
}

/** Records one more thing done, on top of what is saved (another window may have saved too). */
export async function markGuide(change: Partial<GuideProgress>): Promise<GuideProgress> {
  const progress = { ...(await backend.guideProgress()), ...change };
  await backend.saveGuideProgress(progress);
  return progress;
}

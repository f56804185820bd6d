import { describe, expect, it } from "vitest";

import { quietHoursWords, stepsDone } from "./guide";

const progress = { finished: false, notificationTested: false, quietHoursChecked: false, startAtLoginAnswered: false };
const night = { enabled: true, start: "22:00", end: "07:00" };

describe("the first-run guide", () => {
  it("ticks what the data already shows", () => {
    expect(stepsDone({ progress, accounts: 0, startAtLogin: false })).toEqual({
      account: false,
      notification: false,
      quiet: false,
      login: false,
      keys: false,
    });
    const done = stepsDone({ progress, accounts: 2, startAtLogin: true });
    expect(done.account).toBe(true);
    expect(done.login).toBe(true);
    expect(stepsDone({ progress: { ...progress, startAtLoginAnswered: true }, accounts: 0, startAtLogin: false }).login).toBe(true);
  });

  it("says the quiet hours in one sentence", () => {
    expect(quietHoursWords(Array(7).fill(night))).toBe("Every night from 22:00 to 07:00.");
    expect(quietHoursWords(Array(7).fill({ ...night, enabled: false }))).toBe("No quiet hours: notifications come at any time.");
    expect(quietHoursWords([{ ...night, start: "23:00" }, ...Array(6).fill(night)])).toBe(
      "On 7 of 7 days, at times that differ from day to day.",
    );
  });
});

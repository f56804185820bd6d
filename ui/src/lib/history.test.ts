import { describe, expect, it } from "vitest";

import type { HistoryProgress } from "./backend";
import { historyWords, isReading, readBackOf } from "./history";

const progress = (over: Partial<HistoryProgress>): HistoryProgress => ({
  readBack: { kind: "days", days: 30 },
  state: "inbox",
  itemsRead: 45,
  answersRead: 120,
  reached: "2026-11-14T12:00:00Z",
  percent: 70,
  error: null,
  ...over,
});

describe("read back words", () => {
  it("says what is read while it runs and when it ends", () => {
    expect(historyWords(progress({}), "en-GB")).toBe(
      "Reading back 30 days: 120 of your posts, 45 posts addressed to you — back to 14 Nov 2026.",
    );
    expect(historyWords(progress({ state: "answers", reached: null }), "en-GB")).toBe(
      "Reading back 30 days: your own posts first (120 so far).",
    );
    expect(historyWords(progress({ state: "done", readBack: { kind: "everything" } }))).toBe(
      "Read back everything the server gives: 120 of your posts, 45 posts addressed to you.",
    );
    expect(historyWords(progress({ state: "failed", error: "The server refused the token." }))).toContain(
      "stopped: The server refused the token.",
    );
  });

  it("knows when a read back is under way and what each choice asks for", () => {
    expect(isReading(progress({}))).toBe(true);
    expect(isReading(progress({ state: "cancelled" }))).toBe(false);
    expect(isReading(null)).toBe(false);
    expect(readBackOf("90")).toEqual({ kind: "days", days: 90 });
    expect(readBackOf("everything")).toEqual({ kind: "everything" });
  });
});

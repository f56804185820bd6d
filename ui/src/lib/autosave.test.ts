import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { Autosaver, type SaveState } from "./autosave";

describe("Autosaver", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function setup(save = vi.fn(async (_text: string) => {})) {
    const states: SaveState[] = [];
    const saver = new Autosaver(save, { delayMs: 400, maxWaitMs: 2000, onState: (s) => states.push(s) });
    return { save, saver, states };
  }

  it("saves once, with the latest text, after typing pauses", async () => {
    const { save, saver, states } = setup();
    saver.change("h");
    saver.change("he");
    saver.change("hey");
    expect(save).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(400);
    expect(save.mock.calls).toEqual([["hey"]]);
    expect(states.at(-1)).toBe("saved");
  });

  it("saves at least every maxWait while typing never pauses", async () => {
    const { save, saver } = setup();
    for (let i = 1; i <= 30; i++) {
      saver.change("x".repeat(i));
      await vi.advanceTimersByTimeAsync(100); // faster than the 400 ms debounce
    }
    // 3 s of continuous typing: the 2 s cap forces a save without waiting for a pause.
    expect(save).toHaveBeenCalledTimes(1);
    expect(save.mock.calls[0]?.[0].length).toBeGreaterThanOrEqual(19);
  });

  it("flush saves immediately and waits for the save", async () => {
    const { save, saver } = setup();
    saver.change("now");
    await saver.flush();
    expect(save.mock.calls).toEqual([["now"]]);
    expect(saver.hasUnsaved).toBe(false);
  });

  it("never runs two saves at once, and saves text typed during a save right after", async () => {
    let release: () => void = () => {};
    const calls: string[] = [];
    const save = vi.fn((text: string) => {
      calls.push(text);
      return new Promise<void>((resolve) => (release = resolve));
    });
    const { saver } = setup(save);
    saver.change("one");
    const first = saver.flush();
    saver.change("one two");
    const second = saver.flush();
    expect(calls).toEqual(["one"]);
    release();
    await first;
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toEqual(["one", "one two"]);
    release();
    await second;
  });

  it("keeps the text after a failed save and retries on the next flush", async () => {
    const save = vi.fn().mockRejectedValueOnce(new Error("disk full")).mockResolvedValue(undefined);
    const { saver, states } = setup(save);
    saver.change("precious");
    await saver.flush();
    expect(states.at(-1)).toBe("failed");
    expect(saver.hasUnsaved).toBe(true);
    await saver.flush();
    expect(save.mock.calls).toEqual([["precious"], ["precious"]]);
    expect(states.at(-1)).toBe("saved");
  });

  it("stop flushes what is pending", async () => {
    const { save, saver } = setup();
    saver.change("last words");
    await saver.stop();
    saver.change("ignored");
    await vi.advanceTimersByTimeAsync(5000);
    expect(save.mock.calls).toEqual([["last words"]]);
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { toasts } from "./toasts.svelte";

describe("toasts", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    for (const toast of toasts.items) toasts.dismiss(toast.id);
    vi.useRealTimers();
  });

  it("go after 8 s", () => {
    toasts.show("Saved.");
    vi.advanceTimersByTime(7_900);
    expect(toasts.items).toHaveLength(1);
    vi.advanceTimersByTime(200);
    expect(toasts.items).toHaveLength(0);
  });

  it("stay while hovered or focused, then finish the time they had left", () => {
    const id = toasts.show("Marked “no reply needed”.", "info", { label: "Undo", run: () => {} });
    vi.advanceTimersByTime(5_000);
    toasts.hold(id, "pointer");
    toasts.hold(id, "focus");
    vi.advanceTimersByTime(60_000);
    toasts.release(id, "pointer");
    vi.advanceTimersByTime(60_000);
    expect(toasts.items.map((t) => t.id)).toEqual([id]);

    toasts.release(id, "focus");
    vi.advanceTimersByTime(2_900);
    expect(toasts.items).toHaveLength(1);
    vi.advanceTimersByTime(200);
    expect(toasts.items).toHaveLength(0);
  });
});

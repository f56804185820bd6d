import { clearMocks } from "@tauri-apps/api/mocks";
import { cleanup, render, screen } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";

import ThreadView from "../components/ThreadView.svelte";
import { item, thread } from "../test/fixtures";
import { mockBackend } from "../test/ipc";
import { view } from "./view.svelte";

afterEach(() => {
  cleanup();
  clearMocks();
  vi.useRealTimers();
});

describe("the window's view", () => {
  it("is handed to Rust once typing settles, and a new window reads it back", async () => {
    vi.useFakeTimers();
    const kept: string[] = [];
    mockBackend((cmd, args) => {
      if (cmd === "remember_window") {
        kept.push(args.view as string);
        return null;
      }
    });
    view.screen = "heard";
    view.select("heard", "42");
    for (const text of ["R", "Ro", "Room B"]) view.setReply("42", text);
    expect(kept).toEqual([]);
    await vi.advanceTimersByTimeAsync(300);
    expect(kept).toHaveLength(1);
    const saved = JSON.parse(kept[0] as string) as Record<string, unknown>;
    expect(saved).toEqual({ screen: "heard", selected: { heard: "42" }, replies: { "42": "Room B" } });

    view.restore(JSON.stringify({ screen: "events", selected: { owed: "7" }, replies: { "7": "half an answer" } }));
    expect(view.screen).toBe("events");
    expect(view.selected("owed")).toBe("7");
    expect(view.reply("7")).toBe("half an answer");
    view.restore("not json");
    expect(view.screen).toBe("events");
  });

  it("puts an unsent answer back in the reply box of a window built again", async () => {
    const asked = item("7", "is the game on tonight?");
    mockBackend((cmd) => {
      switch (cmd) {
        case "open_thread":
          return thread(asked);
        case "reply_limits":
          return { maxLength: 300, counting: "graphemes", charactersPerUrl: 0, prefill: "@bob " };
        case "remember_window":
          return null;
      }
    });
    view.restore(JSON.stringify({ screen: "owed", selected: {}, replies: { "7": "half an answer" } }));
    render(ThreadView, { item: asked, onAnswered: () => {} });
    const box = await screen.findByTestId<HTMLTextAreaElement>("reply-box");
    expect(box.value).toBe("half an answer");
    // The prefill never replaces what was being written.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(box.value).toBe("half an answer");
  });
});

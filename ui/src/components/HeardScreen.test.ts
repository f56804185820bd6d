import { clearMocks } from "@tauri-apps/api/mocks";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";

import type { InboxItem } from "../lib/backend";
import { toasts } from "../lib/toasts.svelte";
import { item, thread } from "../test/fixtures";
import { mockBackend } from "../test/ipc";
import HeardScreen from "./HeardScreen.svelte";

function heard(id: string, text: string, via: string): InboxItem {
  const base = item(id, text);
  return {
    ...base,
    state: "heard",
    questionKind: "request",
    asks: text,
    heardVia: via,
    post: { ...base.post, reason: "heard" },
  };
}

/** Heard's commands over a list; dismissed items leave it and Undo brings them back. */
function fakeBackend(start: InboxItem[]) {
  let items = [...start];
  const calls: string[] = [];
  mockBackend((cmd, args) => {
    const a = args as Record<string, string>;
    switch (cmd) {
      case "list_heard":
        return { open: items.length, items };
      case "dismiss_heard":
        calls.push(`dismiss ${a.id}`);
        items = items.filter((i) => i.id !== a.id);
        return null;
      case "restore_heard":
        calls.push(`restore ${a.id}`);
        items = [...start];
        return null;
      case "open_thread":
        return thread(start.find((i) => i.id === a.id) as InboxItem);
      case "reply_limits":
        return { maxLength: 300, counting: "graphemes", charactersPerUrl: 0, prefill: "" };
    }
  });
  return { calls };
}

afterEach(() => {
  cleanup();
  clearMocks();
});

describe("Heard screen", () => {
  it("teaches what it listens for", async () => {
    fakeBackend([]);
    render(HeardScreen, { onSettings: () => {} });
    expect((await screen.findByTestId("heard-empty")).textContent).toContain("names people use for you");
  });

  it("says where each question was heard, and Not for us can be undone", async () => {
    const { calls } = fakeBackend([
      heard("1", "anyone know where the tauri workshop is", "#rustconf"),
      heard("2", "is Paddy's showing the game tonight", "Paddy's"),
    ]);
    render(HeardScreen, { onSettings: () => {} });
    expect((await screen.findByTestId("heard-count")).textContent).toBe("2 questions heard");
    const why = screen.getAllByTestId("heard-why").map((el) => el.textContent);
    expect(why).toEqual(["asked under #rustconf", "mentions “Paddy's”"]);

    await fireEvent.click(screen.getAllByTestId("heard-row")[0] as HTMLElement);
    expect((await screen.findByTestId("heard-note")).textContent).toContain("nobody addressed you");
    await fireEvent.click(screen.getByTestId("heard-dismiss"));
    await waitFor(() => expect(screen.getAllByTestId("heard-row")).toHaveLength(1));
    expect(calls).toEqual(["dismiss 1"]);
    const undo = toasts.items.at(-1)?.action;
    expect(undo?.label).toBe("Undo");
    undo?.run();
    await waitFor(() => expect(screen.getAllByTestId("heard-row")).toHaveLength(2));
    expect(calls).toEqual(["dismiss 1", "restore 1"]);
  });
});

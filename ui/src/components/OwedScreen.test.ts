import { clearMocks } from "@tauri-apps/api/mocks";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";

import { mockBackend } from "../test/ipc";
import type { InboxItem } from "../lib/backend";
import { item, thread } from "../test/fixtures";
import OwedScreen from "./OwedScreen.svelte";

function question(id: string, text: string): InboxItem {
  return { ...item(id, text), questionKind: "yes_no", asks: text };
}

/** The Owed commands over a list; done and snoozed items leave it, as in the store. */
function fakeBackend(start: InboxItem[]) {
  let items = [...start];
  const calls: string[] = [];
  mockBackend((cmd, args) => {
    const a = args as Record<string, string>;
    switch (cmd) {
      case "list_owed":
        return { total: items.length, questions: items.filter((i) => i.asks).length, oldestAt: null, items };
      case "mark_done":
        calls.push(`done ${a.id}`);
        items = items.filter((i) => i.id !== a.id);
        return null;
      case "snooze_item":
        calls.push(`snooze ${a.id} ${a.until}`);
        items = items.filter((i) => i.id !== a.id);
        return "2026-11-28T19:00:00Z";
      case "open_thread": {
        const found = start.find((i) => i.id === a.id);
        if (!found) throw { code: "not_found", message: "There is no such inbox item any more." };
        return thread(found);
      }
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

describe("Owed screen", () => {
  it("teaches what will appear there", async () => {
    fakeBackend([]);
    render(OwedScreen, { onAddAccount: () => {} });
    expect((await screen.findByTestId("owed-empty")).textContent).toContain("Nobody is waiting");
  });

  it("says why each item is owed and how many people wait", async () => {
    const direct = item("2", "hi");
    fakeBackend([
      question("1", "is the game on tonight?"),
      { ...direct, post: { ...direct.post, reason: "direct" } },
      { ...item("3", "great talk"), about: "\nSlides from the keynote are up\nLink below" },
      item("4", "well said"),
    ]);
    render(OwedScreen, { onAddAccount: () => {} });
    await waitFor(() =>
      expect(screen.getAllByTestId("owed-reason").map((e) => e.textContent)).toEqual([
        "asks: is the game on tonight?",
        "direct message",
        "replied to your post “Slides from the keynote are up”",
        "replied to your post",
      ]),
    );
    expect(screen.getByTestId("owed-count").textContent).toBe("4 people are waiting for an answer");
  });

  it("e marks the selected item done and s then 2 snoozes the next until tonight", async () => {
    const { calls } = fakeBackend([question("1", "first?"), question("2", "second?"), question("3", "third?")]);
    render(OwedScreen, { onAddAccount: () => {} });
    const list = await screen.findByTestId("owed-list");
    await waitFor(() => expect(screen.getAllByTestId("owed-row")).toHaveLength(3));
    await fireEvent.keyDown(list, { key: "j" });
    await fireEvent.keyDown(list, { key: "e" });
    await waitFor(() => expect(screen.getAllByTestId("owed-row")).toHaveLength(2));
    // The selection moved to the neighbour; snooze it.
    await fireEvent.keyDown(list, { key: "s" });
    await fireEvent.keyDown(list, { key: "2" });
    await waitFor(() => expect(calls).toEqual(["done 1", "snooze 2 tonight"]));
    await waitFor(() => expect(screen.getAllByTestId("owed-row")).toHaveLength(1));
  });
});

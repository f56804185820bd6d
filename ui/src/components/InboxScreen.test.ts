import { clearMocks } from "@tauri-apps/api/mocks";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";

import { mockBackend } from "../test/ipc";
import type { InboxItem } from "../lib/backend";
import { item, thread } from "../test/fixtures";
import InboxScreen from "./InboxScreen.svelte";

/** The Inbox commands over a fixed list; `reply_to` marks the item answered. */
function fakeBackend(items: InboxItem[]) {
  const replies: { id: string; text: string }[] = [];
  const byId = (id: string | undefined): InboxItem => {
    const found = items.find((i) => i.id === id);
    if (!found) throw { code: "not_found", message: "There is no such inbox item any more." };
    return found;
  };
  mockBackend((cmd, args) => {
    const a = args as Record<string, string>;
    switch (cmd) {
      case "list_inbox":
        return items;
      case "open_thread":
        return thread(byId(a.id));
      case "reply_limits":
        return { maxLength: 300, counting: "graphemes", charactersPerUrl: 0, prefill: "" };
      case "reply_to": {
        replies.push({ id: a.id ?? "", text: a.text ?? "" });
        return { ...byId(a.id), answeredBy: "at://did:plc:alice/app.bsky.feed.post/r" };
      }
    }
  });
  return { replies };
}

afterEach(() => {
  cleanup();
  clearMocks();
});

describe("Inbox screen", () => {
  it("teaches what will appear and how to add an account", async () => {
    fakeBackend([]);
    render(InboxScreen, { onAddAccount: () => {} });
    expect((await screen.findByTestId("inbox-empty")).textContent).toContain("Nothing addressed to you yet");
  });

  it("lists who is waiting, and shows remote text as text", async () => {
    fakeBackend([item("1", "<b>is the game on tonight?</b>"), item("2", "thanks!", "at://x")]);
    render(InboxScreen, { onAddAccount: () => {} });
    const [first] = await screen.findAllByTestId("inbox-text");
    expect(first?.textContent).toContain("<b>is the game on tonight?</b>");
    expect(first?.querySelector("b")).toBeNull();
    expect(screen.getByTestId("inbox-waiting").textContent).toContain("1 waiting for you");
    expect(screen.getAllByTestId("answered")).toHaveLength(1);
  });

  it("counts characters as people do and refuses to send over the limit", async () => {
    const { replies } = fakeBackend([item("1", "is the game on tonight?")]);
    render(InboxScreen, { onAddAccount: () => {} });
    const [row] = await screen.findAllByTestId("inbox-row");
    if (!row) throw new Error("no row to open");
    await fireEvent.click(row);
    const box = await screen.findByTestId<HTMLTextAreaElement>("reply-box");
    await fireEvent.input(box, { target: { value: "👩‍👩‍👧".repeat(299) } });
    expect(screen.getByTestId("reply-counter").textContent).toContain("1 left");
    await fireEvent.input(box, { target: { value: "a".repeat(302) } });
    expect(screen.getByTestId("reply-counter").textContent).toContain("2 over the limit");
    expect(screen.getByTestId<HTMLButtonElement>("reply-send").disabled).toBe(true);

    await fireEvent.input(box, { target: { value: "Yes, 8 pm!" } });
    await fireEvent.keyDown(box, { key: "Enter", ctrlKey: true });
    await waitFor(() => expect(replies).toEqual([{ id: "1", text: "Yes, 8 pm!" }]));
    expect((await screen.findByTestId("thread-answered")).textContent).toContain("You answered this");
    expect(box.value).toBe("");
  });
});

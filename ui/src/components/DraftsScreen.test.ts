import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";

import type { Draft } from "../lib/backend";
import DraftsScreen from "./DraftsScreen.svelte";
import Toasts from "./Toasts.svelte";

/** A tiny in-memory backend with the same contract as the Rust commands. */
function fakeBackend() {
  const rows = new Map<string, Draft & { deleted: boolean }>();
  const calls: string[] = [];
  let clock = Date.parse("2026-11-28T10:00:00Z");
  const live = (id: string) => {
    const row = rows.get(id);
    if (!row || row.deleted) throw { code: "not_found", message: "There is no such draft any more." };
    return row;
  };
  const view = ({ deleted: _deleted, ...draft }: Draft & { deleted: boolean }): Draft => draft;
  mockIPC((cmd, args) => {
    calls.push(cmd);
    const a = args as Record<string, string>;
    switch (cmd) {
      case "list_drafts":
        return [...rows.values()].filter((r) => !r.deleted).reverse().map(view);
      case "create_draft": {
        const at = new Date((clock += 1000)).toISOString();
        const id = `d${rows.size + 1}`;
        rows.set(id, { id, body: a.body ?? "", createdAt: at, updatedAt: at, deleted: false });
        return view(live(id));
      }
      case "update_draft": {
        const row = live(a.id ?? "");
        row.body = a.body ?? "";
        return view(row);
      }
      case "delete_draft":
        live(a.id ?? "").deleted = true;
        return null;
      case "restore_draft": {
        const row = rows.get(a.id ?? "");
        if (!row?.deleted) throw { code: "not_found", message: "There is no such deleted draft any more." };
        row.deleted = false;
        return view(row);
      }
    }
    throw new Error(`unexpected command ${cmd}`);
  });
  return { rows, calls };
}

afterEach(() => {
  cleanup();
  clearMocks();
});

describe("Drafts screen", () => {
  it("teaches what to do when there are no drafts", async () => {
    fakeBackend();
    render(DraftsScreen);
    expect(await screen.findByText("No drafts yet.")).toBeTruthy();
  });

  it("creates a draft, autosaves what is typed, and counts characters", async () => {
    const { rows } = fakeBackend();
    render(DraftsScreen);
    await fireEvent.click(await screen.findByTestId("new-draft"));
    const editor = (await screen.findByTestId("draft-editor")) as HTMLTextAreaElement;
    await fireEvent.input(editor, { target: { value: "Is the game on tonight? 👍🏽" } });
    expect(screen.getByTestId("character-count").textContent?.trim()).toBe("25 characters");
    await waitFor(() => expect(rows.get("d1")?.body).toBe("Is the game on tonight? 👍🏽"), { timeout: 2000 });
    await waitFor(() => expect(screen.getByTestId("save-status").dataset.state).toBe("saved"));
  });

  it("deletes with undo", async () => {
    const { rows, calls } = fakeBackend();
    render(DraftsScreen);
    render(Toasts);
    await fireEvent.click(await screen.findByTestId("new-draft"));
    await fireEvent.click(await screen.findByTestId("delete-draft"));
    await waitFor(() => expect(screen.queryAllByTestId("draft-row")).toHaveLength(0));
    expect(rows.get("d1")?.deleted).toBe(true);

    await fireEvent.click(await screen.findByTestId("toast-action"));
    await waitFor(() => expect(screen.queryAllByTestId("draft-row")).toHaveLength(1));
    expect(calls).toContain("restore_draft");
    expect(rows.get("d1")?.deleted).toBe(false);
  });
});

import { clearMocks } from "@tauri-apps/api/mocks";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";

import { accountView } from "../test/fixtures";
import { mockBackend } from "../test/ipc";
import PlannedScreen from "./PlannedScreen.svelte";

afterEach(() => {
  cleanup();
  clearMocks();
});

describe("Planned screen", () => {
  it("counts the way the account's server counts and says why a plan is refused", async () => {
    const saved: unknown[] = [];
    mockBackend((cmd, args) => {
      switch (cmd) {
        case "list_planned":
        case "follow_ups":
        case "list_events":
          return [];
        case "list_accounts":
          return [accountView("acc1", "mastodon", "me@example.org")];
        case "post_limits":
          return { maxLength: 500, counting: "mastodon", charactersPerUrl: 23, prefill: "" };
        case "save_plan":
          saved.push((args as { input: unknown }).input);
          return [{ planId: "plan1" }];
        case "approve_plan":
          throw { code: "invalid_input", message: "For @me@example.org: Post 1 is too long for this Mastodon server." };
      }
    });
    render(PlannedScreen, { onAnswer: () => {}, onOpenItem: () => {} });
    const box = await screen.findByTestId<HTMLTextAreaElement>("plan-part");
    await fireEvent.input(box, { target: { value: `see https://example.org/${"x".repeat(200)}` } });
    await waitFor(() => expect(screen.getByTestId("plan-counter").textContent).toContain("473 left"));
    await fireEvent.click(screen.getByTestId("plan-save-approve"));
    expect((await screen.findByTestId("plan-error")).textContent).toContain("too long");
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({ eventId: null, targets: [{ accountId: "acc1" }] });
  });
});

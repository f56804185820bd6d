import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";

import type { GuideProgress } from "../lib/backend";
import GuideScreen from "./GuideScreen.svelte";

afterEach(() => {
  cleanup();
  clearMocks();
});

function fakeBackend(accounts: number): { saved: GuideProgress[]; calls: string[] } {
  let progress: GuideProgress = {
    finished: false,
    notificationTested: false,
    quietHoursChecked: false,
    startAtLoginAnswered: false,
  };
  const saved: GuideProgress[] = [];
  const calls: string[] = [];
  mockIPC((cmd, args) => {
    calls.push(cmd);
    switch (cmd) {
      case "guide_progress":
        return progress;
      case "save_guide_progress":
        progress = (args as { progress: GuideProgress }).progress;
        saved.push(progress);
        return null;
      case "list_accounts":
        return Array.from({ length: accounts }, (_, i) => ({
          account: { id: `a${i}`, handle: `maya${i}.example`, network: "bluesky", did: null, server: null },
          sync: { state: "ok" },
          history: null,
          messagesRefused: null,
        }));
      case "notification_settings":
        return {
          quietHours: Array.from({ length: 7 }, () => ({ enabled: true, start: "22:00", end: "07:00" })),
          directQuestionsInQuietHours: true,
          pausedUntil: null,
        };
      case "start_at_login":
        return false;
      case "set_start_at_login":
        return null;
      case "send_test_notification":
        return null;
      case "plugin:event|listen":
        return 1;
      case "plugin:event|unlisten":
        return null;
    }
    throw new Error(`unexpected command ${cmd}`);
  });
  return { saved, calls };
}

const doneSteps = () =>
  screen
    .getAllByTestId("guide-step")
    .filter((step) => step.dataset.done === "true")
    .map((step) => step.dataset.step);

describe("the first-run guide", () => {
  it("ticks the account step when an account exists, and each step as it is done", async () => {
    const { saved } = fakeBackend(1);
    let finished = false;
    render(GuideScreen, { onAddAccount: () => {}, onSettings: () => {}, onFinished: () => (finished = true) });
    await waitFor(() => expect(doneSteps()).toEqual(["account"]));
    expect(screen.getByTestId("guide").textContent).toContain("Signed in as @maya0.example");
    expect(screen.getByTestId("guide-quiet-hours").textContent).toContain("Every night from 22:00 to 07:00.");

    await fireEvent.click(screen.getByTestId("guide-test-notification"));
    await waitFor(() => expect(doneSteps()).toEqual(["account", "notification"]));
    await fireEvent.click(screen.getByTestId("guide-keep-quiet"));
    await fireEvent.click(screen.getByTestId("guide-not-now"));
    await waitFor(() => expect(doneSteps()).toEqual(["account", "notification", "quiet", "login"]));

    await fireEvent.click(screen.getByTestId("guide-finish"));
    await waitFor(() => expect(finished).toBe(true));
    expect(saved.at(-1)).toEqual({
      finished: true,
      notificationTested: true,
      quietHoursChecked: true,
      startAtLoginAnswered: true,
    });
  });

  it("offers to add an account when there is none, and can be skipped at once", async () => {
    const { saved } = fakeBackend(0);
    let added = false;
    let finished = false;
    render(GuideScreen, {
      onAddAccount: () => (added = true),
      onSettings: () => {},
      onFinished: () => (finished = true),
    });
    await fireEvent.click(await screen.findByTestId("guide-add-account"));
    expect(added).toBe(true);
    await fireEvent.click(screen.getByTestId("guide-skip"));
    await waitFor(() => expect(finished).toBe(true));
    expect(saved.at(-1)?.finished).toBe(true);
    expect(saved.at(-1)?.notificationTested).toBe(false);
  });
});

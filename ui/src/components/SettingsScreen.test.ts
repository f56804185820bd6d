import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";

import type { NotificationSettings } from "../lib/backend";
import SettingsScreen from "./SettingsScreen.svelte";

const nights = (): NotificationSettings => ({
  quietHours: Array.from({ length: 7 }, () => ({ enabled: true, start: "22:00", end: "07:00" })),
  directQuestionsInQuietHours: true,
  pausedUntil: null,
});

afterEach(() => {
  cleanup();
  clearMocks();
});

describe("Settings screen", () => {
  it("saves quick changes in order, so the last state is the one kept", async () => {
    const saved: NotificationSettings[] = [];
    mockIPC(async (cmd, args) => {
      switch (cmd) {
        case "notification_settings":
          return nights();
        case "save_notification_settings":
          // A slow first save must not overtake or be overtaken.
          await new Promise((resolve) => setTimeout(resolve, saved.length === 0 ? 30 : 0));
          saved.push((args as { settings: NotificationSettings }).settings);
          return null;
        case "start_at_login":
          return false;
        case "plan_settings":
          return { holdAfterMinutes: 30, lateGraceMinutes: 60, requireAltText: true };
        case "list_backups":
          return [];
        case "report_settings":
          return { answerWindowHours: 24, weeklyDigest: false };
      }
      throw new Error(`unexpected command ${cmd}`);
    });
    render(SettingsScreen, { status: { dataDir: "/data", notificationsPausedUntil: null, recovered: null }, onGuide: () => {} });
    const days = await screen.findAllByTestId<HTMLInputElement>("quiet-day");
    expect(days).toHaveLength(7);
    for (const day of days) await fireEvent.click(day);
    await waitFor(() => expect(saved).toHaveLength(7));
    expect(saved.at(-1)?.quietHours.every((day) => !day.enabled)).toBe(true);
  });

  it("restores the chosen backup only once the person confirms", async () => {
    const restored: string[] = [];
    mockIPC((cmd, args) => {
      switch (cmd) {
        case "notification_settings":
          return nights();
        case "start_at_login":
          return false;
        case "plan_settings":
          return { holdAfterMinutes: 30, lateGraceMinutes: 60, requireAltText: true };
        case "list_backups":
          return [
            { day: "2026-11-30", size: "340 KB" },
            { day: "2026-11-29", size: "338 KB" },
          ];
        case "restore_backup":
          restored.push((args as { day: string }).day);
          return null;
        case "report_settings":
          return { answerWindowHours: 24, weeklyDigest: false };
      }
      throw new Error(`unexpected command ${cmd}`);
    });
    let answer = false;
    window.confirm = () => answer;
    render(SettingsScreen, { status: { dataDir: "/data", notificationsPausedUntil: null, recovered: null }, onGuide: () => {} });
    const day = await screen.findByTestId<HTMLSelectElement>("backup-day");
    expect(day.value).toBe("2026-11-30");
    await fireEvent.change(day, { target: { value: "2026-11-29" } });
    await fireEvent.click(screen.getByTestId("restore-backup"));
    expect(restored).toEqual([]);
    answer = true;
    await fireEvent.click(screen.getByTestId("restore-backup"));
    await waitFor(() => expect(restored).toEqual(["2026-11-29"]));
  });
});

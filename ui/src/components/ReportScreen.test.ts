import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";

import type { Report } from "../lib/backend";
// Loaded up front: the screen imports the charts on demand, and a load still running when a
// test ends would outlive its environment.
import "./ReportCharts.svelte";
import ReportScreen from "./ReportScreen.svelte";

afterEach(() => {
  cleanup();
  clearMocks();
});

const grid = () => Array.from({ length: 7 }, () => Array.from({ length: 24 }, () => 0));

function report(overrides: Partial<Report> = {}): Report {
  return {
    from: "2026-11-24",
    to: "2026-11-30",
    windowHours: 24,
    peopleHungUp: 0,
    outcomes: { inTime: 0, late: 0, hanging: 0, waiting: 0, noReplyNeeded: 0 },
    responseRate: null,
    answerTimes: [{ label: "All accounts", answered: 0, medianMinutes: null, p90Minutes: null }],
    answeredInEarshot: 0,
    answeredElsewhere: 0,
    published: 0,
    answersWritten: 0,
    days: [],
    distribution: [0, 0, 0, 0, 0, 0],
    askedByHour: grid(),
    answeredByHour: grid(),
    leftHanging: [],
    eventPosts: [],
    heard: { heard: 0, answered: 0 },
    ...overrides,
  };
}

function backend(answer: (cmd: string, args: unknown) => unknown): void {
  mockIPC((cmd, args) => {
    if (cmd === "list_accounts" || cmd === "list_events") return [];
    if (cmd === "plugin:event|listen") return 1;
    return answer(cmd, args);
  });
}

describe("Report screen", () => {
  it("says there is no data instead of drawing empty figures", async () => {
    backend((cmd) => (cmd === "report" ? report() : null));
    render(ReportScreen, { onOpenItem: () => {} });
    expect((await screen.findByTestId("report-empty")).textContent).toContain("No data in this period");
  });

  it("says so for each chart with nothing to draw", async () => {
    // Posts were published, so the period is not empty; nobody wrote, so no chart has data.
    backend((cmd) => (cmd === "report" ? report({ published: 2 }) : null));
    render(ReportScreen, { onOpenItem: () => {} });
    const placeholders = await screen.findAllByTestId("chart-no-data");
    expect(placeholders.map((p) => p.textContent)).toEqual(Array(4).fill("No data in this period."));
  });

  it("shows the headline and opens a person left hanging", async () => {
    const opened: string[] = [];
    backend((cmd) =>
      cmd === "report"
        ? report({
            peopleHungUp: 3,
            outcomes: { inTime: 6, late: 1, hanging: 2, waiting: 0, noReplyNeeded: 1 },
            responseRate: 6 / 9,
            leftHanging: [
              { item: "42", author: "@bob", said: "is the game on?", askedAt: "2026-11-25T10:00:00Z", waited: "5 days" },
            ],
          })
        : null,
    );
    render(ReportScreen, { onOpenItem: (id) => opened.push(id) });
    expect((await screen.findByTestId("report-headline")).textContent).toContain("3 people would have hung up on you");
    expect(screen.getByTestId("report-rate").textContent).toContain("67 %");
    await fireEvent.click(screen.getByRole("button", { name: "Answer" }));
    expect(opened).toEqual(["42"]);
  });

  it("says why a period cannot be reported, in the backend's words", async () => {
    backend((cmd) => {
      if (cmd === "report") throw { code: "invalid_input", message: "The period ends before it starts." };
      return null;
    });
    render(ReportScreen, { onOpenItem: () => {} });
    expect((await screen.findByTestId("report-error")).textContent).toContain("The period ends before it starts.");
  });
});

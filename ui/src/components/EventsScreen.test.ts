import { clearMocks } from "@tauri-apps/api/mocks";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";

import { accountView } from "../test/fixtures";
import { mockBackend } from "../test/ipc";
import EventsScreen from "./EventsScreen.svelte";

const devconf = {
  id: "ev1",
  name: "DevConf",
  startsOn: "2026-12-01",
  endsOn: "2026-12-03",
  timeZone: "Europe/Berlin",
  hashtags: ["devconf"],
  holdRule: { kind: "off" },
  topics: [{ id: "t1", title: "Keynote", covered: false }],
  listening: { from: null, until: "2026-12-05", notify: false },
};

const draft = {
  id: "p1",
  planId: "plan1",
  accountId: "m1",
  eventId: "ev1",
  topicId: "t1",
  contentWarning: null,
  language: null,
  parts: [{ text: "Keynote at 9", recordKey: null, uri: null, cid: null }],
  publishAt: "2026-12-01T08:00:00Z",
  status: "draft",
  note: null,
  ignoreHold: false,
  images: [],
  serverSide: false,
  serverScheduleId: null,
};

afterEach(() => {
  cleanup();
  clearMocks();
});

describe("Events screen", () => {
  it("shows topics, a timeline, a relaxed hold rule, and counts per target with the event's hashtags", async () => {
    const calls: [string, unknown][] = [];
    mockBackend((cmd, args) => {
      calls.push([cmd, args]);
      switch (cmd) {
        case "list_events":
          return [devconf];
        case "event_posts":
          return [draft];
        case "follow_ups":
          return [];
        case "event_heard":
          return { heard: 12, answered: 9 };
        case "list_accounts":
          return [accountView("m1", "mastodon", "me@example.org"), accountView("b1", "bluesky", "me.bsky.social")];
        case "post_limits":
          return (args as { accountId: string }).accountId === "m1"
            ? { maxLength: 500, counting: "mastodon", charactersPerUrl: 23, prefill: "" }
            : { maxLength: 300, counting: "graphemes", charactersPerUrl: 0, prefill: "" };
        case "approve_plan":
          return null;
        case "save_event_listening":
          return devconf;
      }
    });
    render(EventsScreen, { onAnswer: () => {}, onOpenItem: () => {} });
    expect((await screen.findByTestId("event-title")).textContent).toBe("DevConf");
    expect(screen.getByTestId("event-hold").textContent).toContain("off for this event");
    // Heard under its hashtags: a day before it by default, the last day as chosen.
    expect((await screen.findByTestId("event-heard")).textContent).toBe("12 questions heard, 9 answered");
    expect(screen.getByTestId<HTMLInputElement>("listen-from").value).toBe("2026-11-30");
    expect(screen.getByTestId<HTMLInputElement>("listen-until").value).toBe("2026-12-05");
    await fireEvent.click(screen.getByTestId("listen-notify"));
    await waitFor(() =>
      expect(calls).toContainEqual([
        "save_event_listening",
        { id: "ev1", listening: { from: null, until: "2026-12-05", notify: true } },
      ]),
    );
    expect((await screen.findAllByTestId("plan-card"))[0]?.textContent).toContain("Keynote at 9");
    expect(screen.getByTestId("plan-card").textContent).toContain("09:00");

    await fireEvent.click(screen.getByTestId("plan-approve"));
    await waitFor(() => expect(calls.some(([cmd, a]) => cmd === "approve_plan" && (a as { plan: string }).plan === "plan1")).toBe(true));

    await fireEvent.click(screen.getByTestId("plan-new"));
    const targets = await screen.findAllByTestId<HTMLInputElement>("plan-target");
    await fireEvent.click(targets[1] as HTMLInputElement);
    const box = screen.getByTestId<HTMLTextAreaElement>("plan-part");
    await fireEvent.input(box, { target: { value: "é".repeat(280) } });
    // "\n\n#devconf" adds 10: Mastodon has 500 - 290 left, Bluesky 300 - 290.
    await waitFor(() => {
      const counters = screen.getAllByTestId("plan-counter").map((c) => c.textContent?.trim());
      expect(counters).toEqual(["@me@example.org: 210 left", "@me.bsky.social: 10 left"]);
    });
  });

  it("sends images with their descriptions and says when one is missing", async () => {
    const saved: unknown[] = [];
    mockBackend((cmd, args) => {
      switch (cmd) {
        case "list_events":
          return [devconf];
        case "event_posts":
        case "follow_ups":
          return [];
        case "event_heard":
          return { heard: 0, answered: 0 };
        case "list_accounts":
          return [accountView("m1", "mastodon", "me@example.org")];
        case "post_limits":
          return { maxLength: 500, counting: "mastodon", charactersPerUrl: 23, prefill: "" };
        case "save_plan":
          saved.push((args as { input: unknown }).input);
          return [draft];
      }
    });
    render(EventsScreen, { onAnswer: () => {}, onOpenItem: () => {} });
    await fireEvent.click(await screen.findByTestId("plan-new"));
    await fireEvent.input(screen.getByTestId("plan-part"), { target: { value: "Our booth" } });
    const png = new File([new Uint8Array([137, 80, 78, 71])], "booth.png", { type: "image/png" });
    await fireEvent.change(screen.getByTestId("plan-image-input"), { target: { files: [png] } });
    expect((await screen.findByTestId("plan-image")).textContent).toContain("No description yet");
    await fireEvent.input(screen.getByTestId("plan-image-alt"), { target: { value: "Booth 12, red banner" } });
    await fireEvent.click(screen.getByTestId("plan-save"));
    await waitFor(() => expect(saved).toHaveLength(1));
    expect((saved[0] as { images: unknown[] }).images).toEqual([
      { mime: "image/png", alt: "Booth 12, red banner", base64: "iVBORw==" },
    ]);
  });
});

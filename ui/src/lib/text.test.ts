import { describe, expect, it } from "vitest";

import { countCharacters, firstLine, hashtagLine, mastodonLength, outgoingFirst, relativeTime } from "./text";

describe("countCharacters", () => {
  it("counts what a person sees, not UTF-16 units", () => {
    expect(countCharacters("")).toBe(0);
    expect(countCharacters("hello")).toBe(5);
    expect(countCharacters("e\u0301")).toBe(1);
    expect(countCharacters("👍🏽")).toBe(1);
    expect(countCharacters("👩‍👩‍👧")).toBe(1);
    expect(countCharacters("שלום")).toBe(4);
    expect(countCharacters("x".repeat(10_000))).toBe(10_000);
  });
});

describe("relativeTime", () => {
  const now = new Date("2026-11-28T12:00:00Z");
  it("speaks plainly", () => {
    expect(relativeTime("2026-11-28T11:59:50Z", now)).toBe("just now");
    expect(relativeTime("2026-11-28T11:57:00Z", now)).toBe("3 min ago");
    expect(relativeTime("2026-11-28T09:00:00Z", now)).toBe("3 h ago");
    expect(relativeTime("2026-11-27T11:00:00Z", now)).toBe("yesterday");
    expect(relativeTime("2026-11-24T12:00:00Z", now)).toBe("4 days ago");
  });
});

describe("firstLine", () => {
  it("skips blank lines and trims", () => {
    expect(firstLine("\n\n  Keynote recap  \nmore")).toBe("Keynote recap");
    expect(firstLine("   ")).toBe("");
  });
});

describe("mastodonLength", () => {
  it("counts as the Rust side and Mastodon do", () => {
    expect(mastodonLength("hello", 23)).toBe(5);
    expect(mastodonLength("see https://example.com/a/very/long/path/indeed ok", 23)).toBe(4 + 23 + 3);
    expect(mastodonLength("@bob@example.org hi", 23)).toBe(4 + 3);
    expect(mastodonLength("👩‍👩‍👧", 23)).toBe(5);
  });
});

describe("outgoing text", () => {
  it("adds only the hashtags the text lacks, and leads with the warning on Bluesky", () => {
    const tags = ["DevConf", "dc26"];
    expect(hashtagLine("Keynote at #devconf", tags)).toBe("#dc26");
    expect(hashtagLine("#devconf2025 was fun", tags)).toBe("#DevConf #dc26");
    expect(hashtagLine("#DEVCONF #DC26", tags)).toBeNull();
    expect(outgoingFirst("Keynote now", "loud", ["devconf"], true)).toBe("CW: loud\n\nKeynote now\n\n#devconf");
    expect(outgoingFirst("Keynote now", "loud", ["devconf"], false)).toBe("Keynote now\n\n#devconf");
  });
});

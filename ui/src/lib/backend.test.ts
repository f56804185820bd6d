import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it } from "vitest";

import { backend, BackendError, describeError } from "./backend";

afterEach(() => clearMocks());

describe("backend", () => {
  it("returns a command's data", async () => {
    mockIPC((cmd) => {
      if (cmd === "list_drafts") return [];
      throw new Error(`unexpected ${cmd}`);
    });
    await expect(backend.listDrafts()).resolves.toEqual([]);
  });

  it("turns an IPC error into a BackendError with its code and words", async () => {
    mockIPC(() => {
      throw { code: "not_found", message: "There is no such draft any more." };
    });
    const error = await backend.deleteDraft("gone").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect((error as BackendError).code).toBe("not_found");
    expect(describeError(error)).toBe("There is no such draft any more.");
  });

  it("never shows raw JSON for unexpected failures", () => {
    expect(describeError(new Error("boom"))).toBe("Something went wrong: boom");
    expect(describeError({ weird: true })).toBe("Something went wrong. Please try again.");
  });
});

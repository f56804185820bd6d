// Debounced autosave: saves shortly after typing pauses, and at least every `maxWaitMs` while
// typing goes on, so a crash loses at most that much. One save is in flight at a time; text
// typed meanwhile is saved right after it.

export type SaveState = "saved" | "pending" | "saving" | "failed";

export interface AutosaveOptions {
  /** Quiet time after the last keystroke before saving. */
  delayMs: number;
  /** Longest time unsaved text may wait while the person keeps typing. */
  maxWaitMs: number;
  onState?: (state: SaveState, error?: unknown) => void;
}

export const DEFAULT_AUTOSAVE: Pick<AutosaveOptions, "delayMs" | "maxWaitMs"> = {
  delayMs: 400,
  maxWaitMs: 2000,
};

export class Autosaver {
  #save: (text: string) => Promise<void>;
  #options: AutosaveOptions;
  #pending: string | null = null;
  #firstPendingAt = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #inFlight: Promise<void> | null = null;
  #stopped = false;

  constructor(save: (text: string) => Promise<void>, options: AutosaveOptions) {
    this.#save = save;
    this.#options = options;
  }

  /** The text changed: schedule a save. */
  change(text: string): void {
    if (this.#stopped) return;
    const now = Date.now();
    if (this.#pending === null) this.#firstPendingAt = now;
    this.#pending = text;
    this.#options.onState?.("pending");
    if (this.#timer) clearTimeout(this.#timer);
    const waited = now - this.#firstPendingAt;
    const delay = Math.min(this.#options.delayMs, Math.max(0, this.#options.maxWaitMs - waited));
    this.#timer = setTimeout(() => void this.flush(), delay);
  }

  /** Saves anything unsaved now and resolves when it is stored (or has failed). */
  async flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    while (this.#inFlight) await this.#inFlight;
    const text = this.#pending;
    if (text === null) return;
    this.#pending = null;
    this.#options.onState?.("saving");
    this.#inFlight = this.#save(text)
      .then(() => {
        if (this.#pending === null) this.#options.onState?.("saved");
      })
      .catch((error: unknown) => {
        // Keep the text so the next keystroke or flush tries again; nothing is dropped.
        if (this.#pending === null) {
          this.#pending = text;
          this.#firstPendingAt = Date.now();
        }
        this.#options.onState?.("failed", error);
      })
      .finally(() => {
        this.#inFlight = null;
      });
    await this.#inFlight;
  }

  get hasUnsaved(): boolean {
    return this.#pending !== null || this.#inFlight !== null;
  }

  /** Flushes, then ignores further changes. */
  async stop(): Promise<void> {
    await this.flush();
    this.#stopped = true;
  }
}

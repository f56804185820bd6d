// Where the person is in the window — the screen, each list's selection, unsent answers —
// kept in the Rust process as it changes. Closing the window lets the webview go; the next
// window asks for this and opens where the person left off.
import { backend } from "./backend";

export type ListName = "owed" | "inbox" | "heard";

interface View {
  screen: string;
  selected: Partial<Record<ListName, string | null>>;
  /** Unsent answers by item id (never empty ones). */
  replies: Record<string, string>;
}

/** How long a change waits before it is handed over (typing sends one, not one per key). */
const SETTLE_MS = 250;

class WindowView {
  #view: View = { screen: "owed", selected: {}, replies: {} };
  #timer: ReturnType<typeof setTimeout> | null = null;

  /** Reads back what the last window kept (its JSON), ignoring what cannot be read. */
  restore(json: string | null): void {
    if (!json) return;
    try {
      const view = JSON.parse(json) as Partial<View>;
      this.#view = {
        screen: typeof view.screen === "string" ? view.screen : "owed",
        selected: view.selected ?? {},
        replies: view.replies ?? {},
      };
    } catch {
      // A view from another version: start where a new window starts.
    }
  }

  get screen(): string {
    return this.#view.screen;
  }

  set screen(screen: string) {
    this.#view.screen = screen;
    this.#keep();
  }

  selected(list: ListName): string | null {
    return this.#view.selected[list] ?? null;
  }

  select(list: ListName, id: string | null): void {
    if (this.#view.selected[list] === id) return;
    this.#view.selected[list] = id;
    this.#keep();
  }

  reply(item: string): string | null {
    return this.#view.replies[item] ?? null;
  }

  /** The unsent answer to `item` (empty: none). */
  setReply(item: string, text: string): void {
    if ((this.#view.replies[item] ?? "") === text) return;
    this.#view.replies = Object.fromEntries(
      Object.entries({ ...this.#view.replies, [item]: text }).filter(([, kept]) => kept !== ""),
    );
    this.#keep();
  }

  #keep(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      backend.rememberWindow(JSON.stringify(this.#view)).catch(() => {});
    }, SETTLE_MS);
  }
}

export const view = new WindowView();

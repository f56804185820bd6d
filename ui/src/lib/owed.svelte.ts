import { backend, type InboxItem, type OwedQueue } from "./backend";
import { heardWhy } from "./heard.svelte";
import { firstLine } from "./text";

/** The Owed queue: what still wants an answer, questions first, one item selected. */
export class OwedModel {
  queue = $state<OwedQueue>({ total: 0, questions: 0, oldestAt: null, items: [] });
  selectedId = $state<string | null>(null);
  loaded = $state(false);

  get items(): InboxItem[] {
    return this.queue.items;
  }

  get selected(): InboxItem | null {
    return this.items.find((item) => item.id === this.selectedId) ?? null;
  }

  async load(): Promise<void> {
    const queue = await backend.listOwed();
    const index = this.items.findIndex((item) => item.id === this.selectedId);
    this.queue = queue;
    this.loaded = true;
    // The selected item left (answered, done, snoozed): select its neighbour.
    if (this.selectedId && !queue.items.some((item) => item.id === this.selectedId)) {
      this.selectedId = queue.items[Math.min(index, queue.items.length - 1)]?.id ?? null;
    }
  }

  /** Moves the selection by `step` rows (j/k), stopping at the ends. */
  move(step: number): void {
    if (this.items.length === 0) return;
    const index = this.items.findIndex((item) => item.id === this.selectedId);
    const next = index === -1 ? 0 : Math.min(this.items.length - 1, Math.max(0, index + step));
    this.selectedId = this.items[next]?.id ?? null;
  }
}

/**
 * Why an item is owed, in words: "asks: is the game on tonight?", "direct message",
 * "replied to your post “Slides from the keynote”" (when Earshot has seen that post), …
 */
export function owedReason(item: InboxItem): string {
  if (item.asks) return `asks: ${item.asks}`;
  const about = item.about ? ` “${firstLine(item.about)}”` : "";
  switch (item.post.reason) {
    case "direct":
      return "direct message";
    case "reply":
      return `replied to your post${about}`;
    case "quote":
      return `quoted your post${about}`;
    case "mention":
      return "mentioned you";
    case "thread":
      return "replied in your thread";
    case "heard":
      return heardWhy(item);
  }
}

/** "3 people are waiting for an answer". */
export function owedHeadline(total: number): string {
  if (total === 0) return "Nobody is waiting for you";
  return total === 1 ? "1 person is waiting for an answer" : `${total} people are waiting for an answer`;
}

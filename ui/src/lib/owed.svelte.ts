import { backend, type InboxItem, type OwedQueue } from "./backend";
import { heardWhy } from "./heard.svelte";
import { kept, moved } from "./selection";
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
    // The selected item left (answered, done, snoozed): its neighbour is selected.
    this.selectedId = kept(this.items, queue.items, this.selectedId);
    this.queue = queue;
    this.loaded = true;
  }

  /** Moves the selection by `step` rows (j/k), stopping at the ends. */
  move(step: number): void {
    this.selectedId = moved(this.items, this.selectedId, step);
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

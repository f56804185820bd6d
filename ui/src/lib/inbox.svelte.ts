import { backend, type InboxItem } from "./backend";
import { moved } from "./selection";

/** The Inbox list: the newest items first, one of them selected. */
export class InboxModel {
  items = $state<InboxItem[]>([]);
  selectedId = $state<string | null>(null);
  loaded = $state(false);

  get selected(): InboxItem | null {
    return this.items.find((item) => item.id === this.selectedId) ?? null;
  }

  /** Waiting for an answer: not answered, not marked "no reply needed", not snoozed. */
  get waiting(): number {
    return this.items.filter((item) => item.state === "owed").length;
  }

  async load(): Promise<void> {
    const items = await backend.listInbox();
    this.items = items;
    this.loaded = true;
    if (this.selectedId && !items.some((item) => item.id === this.selectedId)) {
      this.selectedId = null;
    }
  }

  /** Moves the selection by `step` rows (j/k), stopping at the ends. */
  move(step: number): void {
    this.selectedId = moved(this.items, this.selectedId, step);
  }

  /** Puts a changed item (e.g. just answered) in place without a refetch. */
  replace(item: InboxItem): void {
    this.items = this.items.map((existing) => (existing.id === item.id ? item : existing));
  }
}

/** Why an item is in the Inbox, in words. */
export function reasonWords(reason: InboxItem["post"]["reason"]): string {
  switch (reason) {
    case "reply":
      return "replied to you";
    case "mention":
      return "mentioned you";
    case "quote":
      return "quoted you";
    case "direct":
      return "wrote to you";
    case "thread":
      return "replied in your thread";
    case "heard":
      return "asked near you";
  }
}

/** A person's name for a row: their display name, else their handle. */
export function displayName(person: { handle: string; displayName: string | null }): string {
  return person.displayName?.trim() || `@${person.handle}`;
}

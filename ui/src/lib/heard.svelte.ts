import { backend, type HeardList, type InboxItem } from "./backend";
import { kept, moved } from "./selection";

/** Heard: questions asked near the accounts without addressing them, newest first. */
export class HeardModel {
  list = $state<HeardList>({ open: 0, items: [] });
  selectedId = $state<string | null>(null);
  loaded = $state(false);

  get items(): InboxItem[] {
    return this.list.items;
  }

  get selected(): InboxItem | null {
    return this.items.find((item) => item.id === this.selectedId) ?? null;
  }

  async load(): Promise<void> {
    const list = await backend.listHeard();
    this.selectedId = kept(this.items, list.items, this.selectedId);
    this.list = list;
    this.loaded = true;
  }

  /** Moves the selection by `step` rows (j/k), stopping at the ends. */
  move(step: number): void {
    this.selectedId = moved(this.items, this.selectedId, step);
  }
}

/** Why a question is in Heard: "asked under #rustconf", "mentions “Paddy's”". */
export function heardWhy(item: InboxItem): string {
  const via = item.heardVia ?? "";
  return via.startsWith("#") ? `asked under ${via}` : `mentions “${via}”`;
}

/** "3 questions heard". */
export function heardHeadline(open: number): string {
  if (open === 0) return "Nothing heard to answer";
  return open === 1 ? "1 question heard" : `${open} questions heard`;
}

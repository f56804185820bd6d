import { backend, type HeardList, type InboxItem } from "./backend";

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
    const index = this.items.findIndex((item) => item.id === this.selectedId);
    this.list = list;
    this.loaded = true;
    // The selected item left (answered, not for us): select its neighbour.
    if (this.selectedId && !list.items.some((item) => item.id === this.selectedId)) {
      this.selectedId = list.items[Math.min(index, list.items.length - 1)]?.id ?? null;
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

// The Drafts screen's state. SQLite (through the backend) is the source of truth; this keeps
// the list the person sees in step with it.
import { backend, type Draft } from "./backend";

export class DraftsModel {
  drafts = $state<Draft[]>([]);
  selectedId = $state<string | null>(null);
  loaded = $state(false);

  selected = $derived(this.drafts.find((d) => d.id === this.selectedId) ?? null);

  async load(): Promise<void> {
    this.drafts = await backend.listDrafts();
    this.loaded = true;
    if (!this.selected) this.selectedId = this.drafts[0]?.id ?? null;
  }

  async create(): Promise<Draft> {
    const draft = await backend.createDraft("");
    this.drafts = [draft, ...this.drafts];
    this.selectedId = draft.id;
    return draft;
  }

  /** Stores new text for a draft and reflects what was stored. */
  async save(id: string, body: string): Promise<void> {
    const saved = await backend.updateDraft(id, body);
    this.drafts = this.drafts.map((d) => (d.id === id ? saved : d));
  }

  /** Deletes a draft; the returned draft can be passed to `restore` to undo. */
  async remove(id: string): Promise<Draft | null> {
    const index = this.drafts.findIndex((d) => d.id === id);
    const removed = this.drafts[index] ?? null;
    await backend.deleteDraft(id);
    this.drafts = this.drafts.filter((d) => d.id !== id);
    if (this.selectedId === id) {
      this.selectedId = this.drafts[Math.min(index, this.drafts.length - 1)]?.id ?? null;
    }
    return removed;
  }

  async restore(id: string): Promise<void> {
    const restored = await backend.restoreDraft(id);
    this.drafts = [...this.drafts.filter((d) => d.id !== id), restored].sort((a, b) =>
      a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : b.id.localeCompare(a.id),
    );
    this.selectedId = restored.id;
  }

  /** Moves the selection by `step` rows (j/k). */
  move(step: number): void {
    if (this.drafts.length === 0) return;
    const index = this.drafts.findIndex((d) => d.id === this.selectedId);
    const next = Math.max(0, Math.min(this.drafts.length - 1, index + step));
    this.selectedId = this.drafts[next]?.id ?? null;
  }
}

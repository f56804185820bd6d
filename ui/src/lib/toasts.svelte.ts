// Short messages at the bottom of the window: errors in words, and "Undo" after a delete.

export interface Toast {
  id: number;
  message: string;
  kind: "info" | "error";
  action?: { label: string; run: () => void };
}

const VISIBLE_MS = 8000;

class Toasts {
  items = $state<Toast[]>([]);
  #next = 1;

  show(message: string, kind: Toast["kind"] = "info", action?: Toast["action"]): number {
    const id = this.#next++;
    this.items = [...this.items, { id, message, kind, action }];
    setTimeout(() => this.dismiss(id), VISIBLE_MS);
    return id;
  }

  dismiss(id: number): void {
    this.items = this.items.filter((t) => t.id !== id);
  }
}

export const toasts = new Toasts();

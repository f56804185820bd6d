// Short messages at the bottom of the window: errors in words, and "Undo" after a delete.
// A toast stays while the pointer is on it or focus is in it: nobody loses an Undo by
// reaching for it.

export interface Toast {
  id: number;
  message: string;
  kind: "info" | "error";
  action?: { label: string; run: () => void };
}

/** Why a toast is held open. */
export type Hold = "pointer" | "focus";

const VISIBLE_MS = 8000;

interface Timer {
  handle: ReturnType<typeof setTimeout> | null;
  /** Time left when the timer is held. */
  remaining: number;
  startedAt: number;
  holds: Set<Hold>;
}

class Toasts {
  items = $state<Toast[]>([]);
  #next = 1;
  #timers = new Map<number, Timer>();

  show(message: string, kind: Toast["kind"] = "info", action?: Toast["action"]): number {
    const id = this.#next++;
    this.items = [...this.items, { id, message, kind, action }];
    this.#timers.set(id, { handle: null, remaining: VISIBLE_MS, startedAt: 0, holds: new Set() });
    this.#run(id);
    return id;
  }

  dismiss(id: number): void {
    const timer = this.#timers.get(id);
    if (timer?.handle) clearTimeout(timer.handle);
    this.#timers.delete(id);
    this.items = this.items.filter((t) => t.id !== id);
  }

  /** Stops the toast's clock while `why` lasts. */
  hold(id: number, why: Hold): void {
    const timer = this.#timers.get(id);
    if (!timer) return;
    timer.holds.add(why);
    if (timer.handle) {
      clearTimeout(timer.handle);
      timer.handle = null;
      timer.remaining = Math.max(0, timer.remaining - (Date.now() - timer.startedAt));
    }
  }

  /** Starts the clock again, with the time that was left, once nothing holds the toast. */
  release(id: number, why: Hold): void {
    const timer = this.#timers.get(id);
    if (!timer) return;
    timer.holds.delete(why);
    if (timer.holds.size === 0 && !timer.handle) this.#run(id);
  }

  #run(id: number): void {
    const timer = this.#timers.get(id);
    if (!timer) return;
    timer.startedAt = Date.now();
    timer.handle = setTimeout(() => this.dismiss(id), timer.remaining);
  }
}

export const toasts = new Toasts();

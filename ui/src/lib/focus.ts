// Where keyboard focus goes as parts of a screen open and close: into a form, composer or
// dialog as it opens, back to what opened it as it closes — never to the page's body, where
// a keyboard or screen-reader user would have to start over.

const FIELDS =
  "input:not([type=hidden]):not([disabled]), textarea:not([disabled]), select:not([disabled]), button:not([disabled]), [tabindex]:not([tabindex='-1'])";

/** The first control in `node` a person would fill in or press. */
export function firstField(node: ParentNode): HTMLElement | null {
  return node.querySelector<HTMLElement>(FIELDS);
}

/** The focused element, unless focus is nowhere in particular (the page's body). */
function focusedElement(): HTMLElement | null {
  const active = document.activeElement;
  return active instanceof HTMLElement && active !== document.body ? active : null;
}

/**
 * Svelte action for a form, composer or panel that appears in place: focuses its first
 * field as it opens and, as it closes, gives focus back to what opened it — or, when that
 * is gone too (a key opened it, a save replaced it), to `returnTo`.
 */
export function holdsFocus(node: HTMLElement, options: { returnTo?: string } = {}): { destroy(): void } {
  const opener = focusedElement();
  queueMicrotask(() => {
    if (!node.contains(document.activeElement)) firstField(node)?.focus();
  });
  return {
    destroy() {
      // After Svelte has finished the update that removed the node.
      queueMicrotask(() => {
        if (focusedElement() && document.activeElement?.isConnected && !node.contains(document.activeElement)) return;
        const back = opener?.isConnected ? opener : options.returnTo ? document.querySelector<HTMLElement>(options.returnTo) : null;
        back?.focus();
      });
    },
  };
}

/** Focuses the list on the current screen: where the keys work after an action. */
export function focusList(from: Element | null = null): void {
  const scope = from?.closest(".screen") ?? document;
  scope.querySelector<HTMLElement>("[role=listbox]")?.focus();
}

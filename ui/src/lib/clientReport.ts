// The Report for a client: the page as the screen drew it, made to stand on its own. Figures,
// tables and charts (SVG) are kept; the controls and buttons go; the app's styles come along so
// the file looks as the screen does, in light or dark as the reader's system prefers.

/** What the screen has that a client's copy must not: controls, buttons, notices. */
const LEFT_OUT = "form, button, [role=status], [data-client-report=omit]";

/** The page under `root` as HTML with its styles, ready to be saved as one file. */
export function clientReportHtml(root: HTMLElement, sheets: Iterable<CSSStyleSheet> = document.styleSheets): string {
  const copy = root.cloneNode(true) as HTMLElement;
  for (const element of copy.querySelectorAll(LEFT_OUT)) element.remove();
  const css: string[] = [];
  for (const sheet of sheets) {
    try {
      for (const rule of sheet.cssRules) css.push(rule.cssText);
    } catch {
      // A sheet from elsewhere cannot be read; the app has none, and the copy does without.
    }
  }
  return `<style>\n${css.join("\n")}\n</style>\n<main>${copy.outerHTML}</main>`;
}

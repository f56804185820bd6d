import { describe, expect, it } from "vitest";

import { clientReportHtml } from "./clientReport";

describe("the report for a client", () => {
  it("keeps figures and charts, drops controls, and brings the styles", () => {
    const root = document.createElement("div");
    root.innerHTML = `<h1>Report</h1>
      <form class="controls"><select><option>Last 7 days</option></select></form>
      <p data-testid="report-headline">1 person would have hung up on you</p>
      <p role="status">Saved as /home/a/report.csv</p>
      <figure><svg viewBox="0 0 10 10"><rect width="5" height="5"></rect></svg></figure>
      <ul><li>@bob waited 3 days: &lt;script&gt;alert(1)&lt;/script&gt; <button>Answer</button></li></ul>`;
    const style = document.createElement("style");
    style.textContent = ".big { font-weight: 600; }";
    document.head.append(style);

    const html = clientReportHtml(root);

    expect(html).toContain("1 person would have hung up on you");
    expect(html).toContain("<svg");
    expect(html).toContain("font-weight: 600");
    expect(html).not.toContain("<select");
    expect(html).not.toContain("Answer</button>");
    expect(html).not.toContain("Saved as");
    expect(html, "what people wrote stays text").toContain("&lt;script&gt;");
    expect(html).not.toContain("<script>");
    style.remove();
  });
});

import { describe, expect, it } from "vitest";
import { html, joinHtml, toDocument, trustedHtml } from "../src/web/html.js";

describe("html (escape by default)", () => {
  it("escapes every interpolated string, in text and in attributes", () => {
    const name = `<script>alert("x")</script>&'`;
    const out = toDocument(html`<p title="${name}">${name}</p>`);
    expect(out).toBe(
      `<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</p>`,
    );
  });

  it("keeps nested fragments as markup and escapes their data once", () => {
    const items = ["a<b", "c&d"].map((s) => html`<li>${s}</li>`);
    expect(toDocument(html`<ul>${items}</ul>`)).toBe("<ul><li>a&lt;b</li><li>c&amp;d</li></ul>");
  });

  it("renders null, undefined and false as nothing, numbers as they are", () => {
    expect(toDocument(html`${null}${undefined}${false}${0}${4.5}`)).toBe("04.5");
  });

  it("escapes objects through their string form, and passes only trusted markup", () => {
    const hostile = { toString: () => "<img src=x onerror=alert(1)>" };
    expect(toDocument(html`${hostile}`)).toBe("&lt;img src=x onerror=alert(1)&gt;");
    expect(toDocument(html`${trustedHtml("<svg></svg>")}`)).toBe("<svg></svg>");
  });

  it("joins fragments with a separator", () => {
    expect(toDocument(joinHtml([html`<b>1</b>`, html`<b>${"<2>"}</b>`], html`, `))).toBe("<b>1</b>, <b>&lt;2&gt;</b>");
  });

  it("refuses a Promise instead of rendering it later", () => {
    expect(() => html`${Promise.resolve("x")}`).toThrow(/Promise/);
  });
});

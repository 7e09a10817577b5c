// Runs in a test's page (tests/integration/web/test_every_page_translated.py, in English): every
// visible text, placeholder, title, aria-label and option; returns the Chinese that the tenant's
// data does not explain (its names are Chinese: 坐席 李娜, 售前咨询 …).
({ data }) => {
  const skip = "code, pre, textarea, script, style, .mono, #language, [data-raw]";
  const visible = (el) => !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || el.closest(skip) || !visible(el)) continue;
    if (node.textContent.trim()) texts.push([node.textContent.trim(), el.tagName]);
  }
  for (const el of document.querySelectorAll("[placeholder], [title], [aria-label], [alt], option")) {
    if (el.closest(skip)) continue;
    const owner = el.tagName === "OPTION" ? el.closest("select") : el;
    if (!visible(owner) && !el.closest("dialog[open]")) continue;
    for (const attr of ["placeholder", "title", "aria-label", "alt"]) {
      if (el.getAttribute(attr)) texts.push([el.getAttribute(attr).trim(), el.tagName + "@" + attr]);
    }
    if (el.tagName === "OPTION" && el.textContent.trim()) texts.push([el.textContent.trim(), "OPTION"]);
  }
  const han = /[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+/g;
  const problems = [];
  for (const [text, where] of texts) {
    const left = (text.match(han) || []).filter((run) => !data.includes(run));
    if (left.length) problems.push(where + ": Chinese " + JSON.stringify(left) + " in " + JSON.stringify(text.slice(0, 80)));
  }
  return problems;
}

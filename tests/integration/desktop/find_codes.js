// Runs in a test's page (tests/integration/desktop/language.py: codes_on), in either language:
// every visible text, placeholder, title and option outside code; returns the raw codes in them
// — a code in brackets "(login)", a dotted code "customer.phone", a snake_case name "week_start" —
// unless the code is part of a real value of the tenant's data shown there (a name, an e-mail)
// or the UI's own words hold it ("(optional)", "(s)" and a CSV's column names are in the catalog;
// "(me)" is the catalog's "me" in brackets). Options a test adds as bad values carry data-raw.
({ values, catalog }) => {
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
  const longest = [...values].filter((v) => v.length > 1).sort((a, b) => b.length - a.length);
  const code = /\([a-z][a-z0-9]*(?:[._][a-z0-9]+)*\)|\b[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+\b|\b[a-z][a-z0-9]*_[a-z0-9_]+\b/g;
  const problems = [];
  for (const [text, where] of texts) {
    let rest = text.replace(/[^\s,;，、]+@[^\s,;，、]+/g, " "); // an e-mail address is no code
    for (const value of longest) if (rest.includes(value)) rest = rest.split(value).join(" ");
    // "(me)" after a name is the catalog's word "me" in brackets: the UI's words, no code
    const words = (c) => catalog.includes(c) || (c.startsWith("(") && catalog.includes(c.slice(1, -1)));
    const found = (rest.match(code) || []).filter((c) => !words(c));
    if (found.length) problems.push(where + ": raw code " + JSON.stringify(found) + " in " + JSON.stringify(text.slice(0, 80)));
  }
  return problems;
}

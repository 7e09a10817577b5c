// Runs in a test's page (tests/integration/web/test_every_page_translated.py): every visible
// text, placeholder, title, aria-label and option; returns what is an untranslated message id
// or has English words that the tenant's data does not explain.
({ ids, data, allowed }) => {
  const idSet = new Set(ids);
  const allowedSet = new Set(allowed);
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
  const word = /^[A-Za-z][a-z]+[,.:;!?)]*$/;
  const problems = [];
  for (const [text, where] of texts) {
    if (data.includes(text)) continue;
    if (idSet.has(text)) {
      problems.push(where + ": untranslated " + JSON.stringify(text));
      continue;
    }
    // Runs of English words: "Save", "Log in to work"; each must come from the data.
    const runs = [];
    let run = [];
    for (const w of text.split(/\s+/)) {
      const bare = w.replace(/^[("'“‘]+/, "");
      if (word.test(bare) && !allowedSet.has(bare.replace(/[,.:;!?)]+$/, ""))) run.push(bare.replace(/[,.:;!?)]+$/, ""));
      else if (run.length) { runs.push(run.join(" ")); run = []; }
    }
    if (run.length) runs.push(run.join(" "));
    const left = runs.filter((r) => !data.includes(r));
    if (left.length) problems.push(where + ": English " + JSON.stringify(left) + " in " + JSON.stringify(text.slice(0, 80)));
  }
  return problems;
}

// The head of every item (its heading, prompt and instructions, HTML made by the kernel), and
// what ipywidgets' own views do not do for the item around it. Loaded by anywidget: no build step.
//
// - Keys stay in the item. JupyterLab and Notebook 7 bind single keys (ArrowDown, A, B, D D, M...)
//   to notebook commands wherever focus is outside a text box, so an arrow key pressed on a menu
//   or a round button moved to another cell. Lumino skips every shortcut for a key pressed on an
//   element marked data-lm-suppress-shortcuts (the mark must be on the focused control itself:
//   Lumino matches the target before it looks at its parents), and leaves the key to the browser.
// - Round buttons form real groups: ipywidgets gives each one no name, so each was its own group
//   (no arrow keys, a Tab stop each) and a screen reader heard the Most and Least sets as eight
//   buttons with the same four labels. A shared name and a radiogroup role named by the set's
//   label fix both; the arrow keys then choose, and the browser sends the click ipywidgets hears.
// - The item is a group named by its heading, and its save line and feedback are live regions,
//   so "Saved at ..." and the feedback are read out when they change.

let made = 0;

function uid(prefix) {
  made += 1;
  return `${prefix}-${made}-${Math.random().toString(36).slice(2, 8)}`;
}

function named(element, prefix) {
  if (!element.id) element.id = uid(prefix);
  return element.id;
}

function frame(item, head) {
  for (const control of item.querySelectorAll("input, select, textarea, button")) {
    if (!control.hasAttribute("data-lm-suppress-shortcuts")) control.setAttribute("data-lm-suppress-shortcuts", "");
  }
  const heading = head.querySelector("h3");
  if (heading) {
    item.setAttribute("role", "group");
    item.setAttribute("aria-labelledby", named(heading, "peercourse-title"));
  }
  for (const set of item.querySelectorAll(".widget-radio")) {
    const box = set.querySelector(".widget-radio-box");
    if (!box) continue;
    box.setAttribute("role", "radiogroup");
    const label = set.querySelector(":scope > .widget-label");
    if (label && label.textContent.trim()) {
      box.setAttribute("aria-labelledby", named(label, "peercourse-set"));
    } else if (heading) {
      box.setAttribute("aria-labelledby", heading.id);
    }
    const name = box.dataset.peercourseName || (box.dataset.peercourseName = uid("peercourse-choice"));
    for (const input of box.querySelectorAll('input[type="radio"]')) {
      if (input.name !== name) input.name = name;
    }
  }
  for (const region of item.querySelectorAll(".peercourse-status, .peercourse-feedback")) {
    if (region.getAttribute("role") !== "status") {
      region.setAttribute("role", "status");
      region.setAttribute("aria-live", "polite");
    }
  }
}

function render({ model, el }) {
  el.classList.add("peercourse-head");
  const show = () => {
    el.innerHTML = model.get("html");
  };
  show();
  model.on("change:html", show);
  // The item's other parts arrive as ipywidgets renders them, one by one and after this head,
  // and a set's round buttons are made anew when its options change: watch the whole item.
  let watcher = null;
  let waiting = 0;
  const attach = () => {
    const item = el.closest(".peercourse-item");
    if (!item) {
      if (waiting++ < 600) requestAnimationFrame(attach);
      return;
    }
    frame(item, el);
    watcher = new MutationObserver(() => frame(item, el));
    watcher.observe(item, { childList: true, subtree: true });
  };
  attach();
  return () => {
    if (watcher) watcher.disconnect();
  };
}

export default { render };

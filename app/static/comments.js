// Comments on a section's text, as in a word processor: select words to comment on
// them, see the passages under discussion highlighted, and "@" to mention a member.
// Progressive enhancement: without JavaScript the quote is typed in its field, and a
// mention typed by hand counts all the same (the server reads "@Name").
"use strict";

(function () {
  const fold = (text) =>
    text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  const squeeze = (text) => text.replace(/\s+/g, " ");

  // --- the text of the section, as the page shows it --------------------------------
  // Text nodes with their place in the article's text with white space folded, so that
  // a quote (taken from the text as read) is found whatever the HTML's line breaks.
  function flatten(root) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const pieces = [];
    let flat = "";
    let lastSpace = true;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.nodeValue;
      for (let i = 0; i < text.length; i += 1) {
        const space = /\s/.test(text[i]);
        if (space && lastSpace) continue;
        pieces.push({ node, offset: i });
        flat += space ? " " : text[i];
        lastSpace = space;
      }
    }
    return { flat, pieces };
  }

  // --- commenting on a selection ----------------------------------------------------
  const article = document.querySelector("article.prose[data-commentable]");
  const form = article && article.dataset.commentable
    ? document.getElementById(article.dataset.commentable)
    : null;
  if (article && form) {
    const actions = document.createElement("div");
    actions.className = "selection-actions";
    actions.setAttribute("aria-live", "polite");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "comment-selection";
    button.textContent = "Commenter le passage sélectionné";
    button.hidden = true;
    actions.appendChild(button);
    article.insertAdjacentElement("afterend", actions);
    let chosen = null;

    const selected = () => {
      const selection = window.getSelection();
      if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
      const range = selection.getRangeAt(0);
      if (!article.contains(range.startContainer) || !article.contains(range.endContainer)) {
        return null;
      }
      const quote = squeeze(selection.toString()).trim();
      return quote ? { range, quote } : null;
    };

    document.addEventListener("selectionchange", () => {
      const found = selected();
      if (found) {
        chosen = found;
        button.hidden = false;
      } else if (document.activeElement !== button) {
        chosen = null;
        button.hidden = true;
      }
    });

    button.addEventListener("click", () => {
      if (!chosen) return;
      const before = document.createRange();
      before.setStart(article, 0);
      before.setEnd(chosen.range.startContainer, chosen.range.startOffset);
      const after = document.createRange();
      after.setStart(chosen.range.endContainer, chosen.range.endOffset);
      after.setEnd(article, article.childNodes.length);
      form.querySelector('[name="quote"]').value = chosen.quote;
      form.querySelector('[name="before"]').value = squeeze(before.toString()).slice(-160);
      form.querySelector('[name="after"]').value = squeeze(after.toString()).slice(0, 160);
      const body = form.querySelector('[name="body"]');
      chosen = null;
      window.getSelection().removeAllRanges();
      button.hidden = true;
      form.scrollIntoView({ block: "center" });
      body.focus();
    });
  }

  // --- the passages under discussion, highlighted -------------------------------------
  const prose = document.querySelector("article.prose");
  if (prose) {
    const threads = document.querySelectorAll("article.thread[data-quote]:not(.resolved)");
    threads.forEach((thread) => {
      const { flat, pieces } = flatten(prose);
      const quote = squeeze(thread.dataset.quote).trim();
      if (!quote) return;
      const prefix = squeeze(thread.dataset.prefix || "");
      let best = -1;
      let bestScore = -1;
      for (let at = flat.indexOf(quote); at >= 0; at = flat.indexOf(quote, at + 1)) {
        const left = flat.slice(Math.max(0, at - prefix.length), at);
        let score = 0;
        while (score < left.length && left[left.length - 1 - score] === prefix[prefix.length - 1 - score]) {
          score += 1;
        }
        if (score > bestScore) {
          best = at;
          bestScore = score;
        }
      }
      if (best < 0) return;
      const start = pieces[best];
      const end = pieces[best + quote.length - 1];
      const nodes = [];
      const walker = document.createTreeWalker(prose, NodeFilter.SHOW_TEXT);
      let inside = false;
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node === start.node) inside = true;
        if (inside) nodes.push(node);
        if (node === end.node) break;
      }
      nodes.forEach((node) => {
        const from = node === start.node ? start.offset : 0;
        const to = node === end.node ? end.offset + 1 : node.nodeValue.length;
        if (to <= from || !node.nodeValue.slice(from, to).trim()) return;
        const range = document.createRange();
        range.setStart(node, from);
        range.setEnd(node, to);
        const mark = document.createElement("mark");
        mark.className = "commented";
        mark.dataset.thread = thread.id;
        mark.tabIndex = 0;
        mark.title = "Passage commenté : voir la discussion";
        range.surroundContents(mark);
      });
    });
    prose.addEventListener("click", (event) => openThread(event.target));
    prose.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") openThread(event.target, event);
    });
  }

  function openThread(target, event) {
    const mark = target.closest && target.closest("mark.commented");
    if (!mark) return;
    if (event) event.preventDefault();
    const thread = document.getElementById(mark.dataset.thread);
    if (!thread) return;
    thread.tabIndex = -1;
    thread.scrollIntoView({ block: "center" });
    thread.focus();
    thread.classList.add("highlighted");
  }

  // --- "@" offers the convention's members ------------------------------------------
  const data = document.getElementById("membres-mentionnables");
  const members = data ? JSON.parse(data.textContent) : [];
  if (members.length) {
    document.querySelectorAll("textarea[data-mentions]").forEach((box, index) => {
      const list = document.createElement("ul");
      list.id = `mentions-${index}`;
      list.className = "mentions";
      list.setAttribute("role", "listbox");
      list.setAttribute("aria-label", "Membres à mentionner");
      list.hidden = true;
      box.insertAdjacentElement("afterend", list);
      box.setAttribute("aria-autocomplete", "list");
      box.setAttribute("aria-controls", list.id);
      let options = [];
      let active = 0;

      const query = () => {
        const before = box.value.slice(0, box.selectionStart);
        const match = before.match(/(?:^|\s)@([^\n@]{0,40})$/);
        return match ? match[1] : null;
      };
      const close = () => {
        list.hidden = true;
        box.removeAttribute("aria-activedescendant");
        options = [];
      };
      const show = () => {
        list.querySelectorAll("li").forEach((item, i) => {
          item.setAttribute("aria-selected", i === active ? "true" : "false");
        });
        box.setAttribute("aria-activedescendant", `${list.id}-${active}`);
      };
      const choose = (name) => {
        const caret = box.selectionStart;
        const before = box.value.slice(0, caret);
        const at = before.lastIndexOf("@");
        box.value = `${before.slice(0, at)}@${name} ${box.value.slice(caret)}`;
        const place = at + name.length + 2;
        box.setSelectionRange(place, place);
        close();
        box.focus();
      };

      box.addEventListener("input", () => {
        const typed = query();
        if (typed === null) return close();
        const wanted = fold(typed);
        options = members.filter((name) => fold(name).startsWith(wanted)).slice(0, 8);
        if (!options.length) return close();
        list.replaceChildren(
          ...options.map((name, i) => {
            const item = document.createElement("li");
            item.id = `${list.id}-${i}`;
            item.setAttribute("role", "option");
            item.textContent = name;
            item.addEventListener("mousedown", (event) => {
              event.preventDefault();
              choose(name);
            });
            return item;
          }),
        );
        active = 0;
        list.hidden = false;
        show();
      });
      box.addEventListener("keydown", (event) => {
        if (list.hidden || !options.length) return;
        if (event.key === "ArrowDown" || event.key === "ArrowUp") {
          event.preventDefault();
          active = (active + (event.key === "ArrowDown" ? 1 : options.length - 1)) % options.length;
          show();
        } else if (event.key === "Enter" || event.key === "Tab") {
          event.preventDefault();
          choose(options[active]);
        } else if (event.key === "Escape") {
          close();
        }
      });
      box.addEventListener("blur", () => setTimeout(close, 150));
    });
  }
})();

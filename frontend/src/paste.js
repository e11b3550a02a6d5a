// What a paste from Word or LibreOffice keeps: headings, lists, tables, bold, italic,
// links. Styles, fonts, classes, comments, conditional comments and Office's own markup
// go. Word's clipboard has no <ul>/<ol>: each list item is a paragraph
// (class=MsoListParagraph, style="mso-list:l0 level2 lfo1") whose bullet or number is
// text hidden from Office between <![if !supportLists]> and <![endif]>; those
// paragraphs become nested lists again here.

const OFFICE = /urn:schemas-microsoft-com|mso-|class="?Mso|<o:p|LibreOffice|StarOffice|OpenOffice/i;
const KEPT_ATTRIBUTES = { a: ["href"], td: ["colspan", "rowspan"], th: ["colspan", "rowspan"], ol: ["start"] };
const DROPPED = "style, meta, link, script, title, xml, head, noscript, object, iframe, img, svg";
const COMMENT_MARKUP =
  ".msocomanchor, .MsoCommentReference, .msocomoff, .msocomtxt, .MsoCommentText, " +
  "[data-office-style*='mso-element:comment'], [data-office-style*='mso-special-character:comment'], " +
  "[title='sdfootnote'], [title='sdendnote'], .sdfootnoteanc, .sdendnoteanc, " +
  "span[title='annotation'], div[title='annotation']";
const LINK = /^(https?:|mailto:|\/|#)/i;

export function isOfficeHtml(html) {
  return OFFICE.test(html);
}

export function cleanOfficeHtml(html) {
  // Styles go before anything parses them: the page's Content-Security-Policy refuses
  // inline styles (and says so in the console) in any document this page creates. The
  // style attributes are read below, renamed, for what they say of bold and italic.
  let text = html
    .replace(/<style[\s\S]*?<\/style\s*>/gi, "")
    .replace(/(<[a-z][^>]*?\s)style\s*=/gi, "$1data-office-style=");
  if (!isOfficeHtml(html)) return clean(text, false);
  // A list item's bullet or number, kept aside to tell bulleted from numbered lists.
  // Word writes <![if !supportLists]>...<![endif]>; Chrome hands it over as
  // <!--[if !supportLists]-->...<!--[endif]-->.
  text = text.replace(
    /<!(?:--)?\[if !supportLists\](?:--)?>([\s\S]*?)<!(?:--)?\[endif\](?:--)?>/gi,
    (_all, marker) => `<span data-office-marker="${encodeURIComponent(stripTags(marker))}"></span>`,
  );
  // Other revealed fallbacks (the comments' list, empty paragraphs, VML images): dropped.
  text = text.replace(/<!(?:--)?\[if [^\]]*\](?:--)>[\s\S]*?<!(?:--)?\[endif\](?:--)?>/gi, "");
  text = text.replace(/<!\[if [^\]]*\]>[\s\S]*?<!\[endif\]>/gi, "");
  // Hidden conditional comments (<!--[if gte mso 9]><xml>...<![endif]-->) hold Office's
  // XML and VML: dropped whole.
  text = text.replace(/<!--\[if [^\]]*\]>[\s\S]*?<!\[endif\]-->/gi, "");
  return clean(text, true);
}

function clean(text, office) {
  const doc = new DOMParser().parseFromString(text, "text/html");
  const body = doc.body;
  removeComments(body);
  body.querySelectorAll(COMMENT_MARKUP).forEach((node) => node.remove());
  body.querySelectorAll(DROPPED).forEach((node) => node.remove());
  for (const element of Array.from(body.getElementsByTagName("*"))) {
    if (element.tagName.includes(":")) unwrap(element); // <o:p>, <w:sdt>, <st1:...>
  }
  formattingFromStyles(body);
  if (office) {
    titles(body);
    wordLists(body);
  }
  // Outline-numbered headings keep their heading; their number is Word's to draw.
  body.querySelectorAll("[data-office-marker]").forEach((marker) => marker.remove());
  headerRows(body);
  links(body);
  for (const element of Array.from(body.querySelectorAll("span, font"))) unwrap(element);
  for (const element of Array.from(body.getElementsByTagName("*"))) stripAttributes(element);
  return body.innerHTML;
}

function stripTags(html) {
  return html
    .replace(/<[^>]*>/g, "")
    .replace(/&nbsp;|&#160;|\u00a0/g, " ")
    .replace(/&[a-z]+;/gi, "")
    .trim();
}

function removeComments(root) {
  const walker = root.ownerDocument.createTreeWalker(root, NodeFilter.SHOW_COMMENT);
  const found = [];
  while (walker.nextNode()) found.push(walker.currentNode);
  found.forEach((node) => node.remove());
}

function unwrap(element) {
  const parent = element.parentNode;
  if (!parent) return;
  while (element.firstChild) parent.insertBefore(element.firstChild, element);
  element.remove();
}

function wrapIn(element, tag) {
  const wrapper = element.ownerDocument.createElement(tag);
  while (element.firstChild) wrapper.appendChild(element.firstChild);
  element.appendChild(wrapper);
}

// Bold and italic written as styles (Word's and LibreOffice's spans) become elements
// before the styles go.
function formattingFromStyles(body) {
  for (const element of Array.from(body.querySelectorAll("[data-office-style]"))) {
    const style = element.getAttribute("data-office-style").toLowerCase().replace(/\s+/g, "");
    if (/(^|;)font-weight:(bold|[6-9]00)/.test(style) && !/^(b|strong|h[1-6])$/i.test(element.tagName)) {
      wrapIn(element, "strong");
    }
    if (/(^|;)font-style:italic/.test(style) && !/^(i|em)$/i.test(element.tagName)) wrapIn(element, "em");
    if (/text-decoration[^;]*line-through/.test(style)) wrapIn(element, "s");
  }
  // <b style="font-weight:normal"> (Word's "mso-bidi-font-weight:normal" is no such thing)
  for (const element of Array.from(body.querySelectorAll("b[data-office-style], strong[data-office-style]"))) {
    const style = element.getAttribute("data-office-style").toLowerCase().replace(/\s+/g, "");
    if (/(^|;)font-weight:(normal|[1-4]00)/.test(style)) unwrap(element);
  }
}

function titles(body) {
  const levels = { MsoTitle: "h1", MsoSubtitle: "h2" };
  for (const [name, tag] of Object.entries(levels)) {
    for (const element of Array.from(body.querySelectorAll(`p.${name}`))) {
      const heading = element.ownerDocument.createElement(tag);
      while (element.firstChild) heading.appendChild(element.firstChild);
      element.replaceWith(heading);
    }
  }
}

function listInfo(element) {
  if (element.tagName !== "P") return null;
  const style = element.getAttribute("data-office-style") || "";
  const listStyle = /mso-list:\s*(l\d+)\s+level(\d+)/i.exec(style);
  const marker = element.querySelector("[data-office-marker]");
  if (!listStyle && !/MsoListParagraph/i.test(element.className || "")) return null;
  if (!listStyle && !marker) return null;
  const text = marker ? decodeURIComponent(marker.getAttribute("data-office-marker")) : "";
  const ordered = /^[(\[]?([0-9]{1,4}|[a-z]{1,2}|[ivxlcdm]{1,6})[.)\]]/i.test(text);
  return { level: listStyle ? parseInt(listStyle[2], 10) : 1, ordered };
}

// Consecutive list paragraphs of one parent become one nested list.
function wordLists(body) {
  const parents = new Set(Array.from(body.querySelectorAll("p")).map((p) => p.parentNode));
  for (const parent of parents) {
    let run = [];
    const children = Array.from(parent.childNodes);
    for (const node of [...children, null]) {
      const info = node && node.nodeType === 1 ? listInfo(node) : null;
      const blank = node && node.nodeType === 3 && !node.textContent.trim();
      if (info) run.push([node, info]);
      else if (!blank && run.length) {
        replaceByList(run);
        run = [];
      }
    }
  }
}

function replaceByList(run) {
  const doc = run[0][0].ownerDocument;
  const roots = [];
  const stack = []; // [level, list element], outermost first
  for (const [paragraph, info] of run) {
    while (stack.length && stack[stack.length - 1][0] > info.level) stack.pop();
    const top = stack[stack.length - 1];
    const sameKind = top && (top[1].tagName === "OL") === info.ordered;
    if (top && top[0] === info.level && !sameKind) stack.pop(); // another kind: a list of its own
    let current = stack[stack.length - 1];
    if (!current || current[0] < info.level) {
      const list = doc.createElement(info.ordered ? "ol" : "ul");
      const parentItem = current ? current[1].lastElementChild : null;
      if (parentItem) parentItem.appendChild(list);
      else roots.push(list);
      stack.push([info.level, list]);
      current = stack[stack.length - 1];
    }
    const item = doc.createElement("li");
    const content = doc.createElement("p");
    paragraph.querySelectorAll("[data-office-marker]").forEach((marker) => marker.remove());
    while (paragraph.firstChild) content.appendChild(paragraph.firstChild);
    item.appendChild(content);
    current[1].appendChild(item);
  }
  const first = run[0][0];
  for (const root of roots) first.parentNode.insertBefore(root, first);
  run.forEach(([paragraph]) => paragraph.remove());
}

// The first row of a table is its header row in Markdown: shown as such.
function headerRows(body) {
  for (const table of Array.from(body.querySelectorAll("table"))) {
    const row = table.querySelector("tr");
    if (!row) continue;
    for (const cell of Array.from(row.children)) {
      if (cell.tagName !== "TD") continue;
      const header = cell.ownerDocument.createElement("th");
      for (const name of ["colspan", "rowspan"]) {
        if (cell.hasAttribute(name)) header.setAttribute(name, cell.getAttribute(name));
      }
      while (cell.firstChild) header.appendChild(cell.firstChild);
      cell.replaceWith(header);
    }
  }
}

function links(body) {
  for (const anchor of Array.from(body.querySelectorAll("a"))) {
    const href = (anchor.getAttribute("href") || "").trim();
    if (!href || !LINK.test(href) || href.startsWith("#_")) unwrap(anchor); // bookmarks, notes
  }
}

function stripAttributes(element) {
  const kept = KEPT_ATTRIBUTES[element.tagName.toLowerCase()] || [];
  for (const attribute of Array.from(element.attributes)) {
    if (!kept.includes(attribute.name.toLowerCase())) element.removeAttribute(attribute.name);
  }
}

// Cosigne's rich-text editor (TipTap 3 on ProseMirror), on the section's edit page and
// on a proposal. Progressive: the page is a form with a Markdown textarea that works
// without JavaScript; this script puts the editor in its place, sends the editor's
// document (JSON) in the hidden "document" field, and the server turns it into Markdown
// (workflows/text/editor.py) written as the section writes it (workflows/text/carry.py).
// The page gives its data in data- attributes and a JSON block, never inline script.
import { Editor, Extension, mergeAttributes } from "@tiptap/core";
import { Table, TableCell, TableHeader, TableRow } from "@tiptap/extension-table";
import StarterKit from "@tiptap/starter-kit";

import { startCompanions } from "./companions.js";
import "./editor.css";
import { cleanOfficeHtml } from "./paste.js";
import { buildToolbar } from "./toolbar.js";

const ALLOWED_LINK = /^(https?:\/\/|mailto:|\/|#)/i;

// Word's keyboard shortcuts that TipTap does not have (it has Ctrl+B, Ctrl+I,
// Ctrl+Alt+1..6 for headings, Ctrl+Maj+7 and 8 for lists, Ctrl+Z, Ctrl+Y, Tab and
// Maj+Tab in lists).
function wordShortcuts(actions) {
  return Extension.create({
    name: "wordShortcuts",
    addKeyboardShortcuts() {
      return {
        "Mod-Shift-l": () => this.editor.commands.toggleBulletList(),
        "Mod-Shift-n": () => this.editor.commands.setParagraph(),
        "Mod-k": () => {
          actions.openLink();
          return true;
        },
        "Alt-F10": () => {
          actions.focusToolbar();
          return true;
        },
      };
    },
  });
}

// Tables without inline styles: the Content-Security-Policy refuses style attributes,
// and Markdown keeps no column widths anyway.
const PlainTable = Table.extend({
  renderHTML({ HTMLAttributes }) {
    return ["table", mergeAttributes(this.options.HTMLAttributes, HTMLAttributes), ["tbody", 0]];
  },
});

function linkDialog(editor) {
  const dialog = document.createElement("dialog");
  dialog.className = "rich-link-dialog";
  dialog.setAttribute("aria-labelledby", "rich-link-title");
  dialog.innerHTML = `
    <form method="dialog">
      <h2 id="rich-link-title">Lien</h2>
      <label for="rich-link-href">Adresse du lien (https://…, mailto:…)</label>
      <input id="rich-link-href" name="href" type="text" inputmode="url" autocomplete="url">
      <p class="hint" id="rich-link-error" role="alert"></p>
      <div class="actions">
        <button type="submit" value="apply" class="primary">Appliquer</button>
        <button type="submit" value="remove">Retirer le lien</button>
        <button type="submit" value="cancel">Annuler</button>
      </div>
    </form>`;
  document.body.appendChild(dialog);
  const input = dialog.querySelector("input");
  const error = dialog.querySelector("#rich-link-error");
  dialog.querySelector("form").addEventListener("submit", (event) => {
    const action = event.submitter ? event.submitter.value : "apply";
    const href = input.value.trim();
    if (action === "apply" && !ALLOWED_LINK.test(href)) {
      event.preventDefault();
      error.textContent = "Adresse non reconnue : elle doit commencer par https://, http://, mailto: ou /.";
      return;
    }
    const chain = editor.chain().focus().extendMarkRange("link");
    if (action === "remove") chain.unsetLink().run();
    else if (action === "apply") {
      if (editor.state.selection.empty && !editor.isActive("link")) {
        chain.insertContent({ type: "text", text: href, marks: [{ type: "link", attrs: { href } }] }).run();
      } else chain.setLink({ href }).run();
    } else editor.commands.focus();
  });
  return () => {
    input.value = editor.getAttributes("link").href || "";
    error.textContent = "";
    dialog.showModal();
    input.focus();
  };
}

function mount(form) {
  const data = document.getElementById("editor-document");
  const field = form.querySelector('input[name="document"]');
  const source = form.querySelector(".markdown-source");
  if (!data || !field || !source) return null;
  const content = JSON.parse(data.textContent);
  const label = form.dataset.editorLabel || "Texte";

  const wrapper = document.createElement("div");
  wrapper.className = "rich-editor";
  const title = document.createElement("p");
  title.className = "rich-label";
  title.id = `${form.id}-label`;
  title.textContent = label;
  const help = document.createElement("p");
  help.className = "hint rich-help";
  help.id = `${form.id}-help`;
  help.textContent =
    "Raccourcis comme dans Word : Ctrl+B gras, Ctrl+I italique, Ctrl+Alt+1 à 3 titres, " +
    "Ctrl+Maj+N texte normal, Ctrl+Maj+L liste à puces, Tab et Maj+Tab pour le retrait " +
    "d'une liste, Ctrl+K lien, Ctrl+Z annuler, Ctrl+Y rétablir ; Alt+F10 va à la barre " +
    "d'outils, Échap en revient. Le collage depuis Word ou LibreOffice garde titres, " +
    "listes, tableaux, gras et italique.";
  const surface = document.createElement("div");
  surface.className = "rich-surface";
  const surfaceId = `${form.id}-surface`;

  const actions = { openLink: () => {}, focusToolbar: () => {} };
  const editor = new Editor({
    element: surface,
    content,
    injectCSS: false,
    extensions: [
      StarterKit.configure({
        underline: false, // Markdown has no underline
        link: { openOnClick: false, autolink: true, defaultProtocol: "https", HTMLAttributes: { rel: "noopener noreferrer nofollow", target: null } },
        heading: { levels: [1, 2, 3, 4, 5, 6] },
      }),
      PlainTable.configure({ resizable: false }),
      TableRow,
      TableHeader,
      TableCell,
      wordShortcuts(actions),
    ],
    editorProps: {
      attributes: {
        id: surfaceId,
        class: "rich-content prose",
        role: "textbox",
        "aria-multiline": "true",
        "aria-labelledby": title.id,
        "aria-describedby": help.id,
      },
      transformPastedHTML: cleanOfficeHtml,
    },
  });
  const toolbar = buildToolbar(editor, surfaceId, () => actions.openLink());
  actions.openLink = linkDialog(editor);
  actions.focusToolbar = toolbar.focus;

  wrapper.append(title, toolbar.element, surface, help);
  source.hidden = true;
  source.after(wrapper);
  form.querySelectorAll("[data-editor-only]").forEach((element) => (element.hidden = false));

  const syncField = () => {
    field.value = JSON.stringify(editor.getJSON());
  };
  form.addEventListener("submit", syncField);
  return {
    editor,
    syncField,
    onChange: (callback) => editor.on("update", callback),
  };
}

function start() {
  const form = document.querySelector("form[data-draft-url]");
  if (!form) return;
  let rich = null;
  if (form.hasAttribute("data-editor")) {
    try {
      rich = mount(form);
    } catch (error) {
      // The textarea stays: the page works as without JavaScript.
      console.error("Éditeur indisponible :", error);
    }
  }
  startCompanions(form, rich);
  window.cosigneEditor = rich ? rich.editor : null; // for the browser tests
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();

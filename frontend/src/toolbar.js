// The toolbar: Word's groups (styles, character formatting, lists, insertion, table,
// undo), every control a button with a French name, reachable from the keyboard as the
// WAI-ARIA toolbar pattern has it: one Tab stop, then the arrow keys, Home and End;
// Alt+F10 from the text comes to it, Escape goes back.

const SHORTCUT_MOD = /Mac|iPhone|iPad/.test(navigator.platform) ? "Cmd" : "Ctrl";

export function controls(editor, openLink) {
  const chain = () => editor.chain().focus();
  const inTable = () => editor.isActive("table");
  return [
    { group: "Styles" },
    { text: "Normal", name: "Texte normal", keys: "Ctrl+Maj+N", run: () => chain().setParagraph().run(), active: () => editor.isActive("paragraph") && !editor.isActive("listItem") && !editor.isActive("blockquote") && !inTable() },
    ...[1, 2, 3].map((level) => ({
      text: `Titre ${level}`,
      name: `Titre ${level}`,
      keys: `Ctrl+Alt+${level}`,
      run: () => chain().toggleHeading({ level }).run(),
      active: () => editor.isActive("heading", { level }),
    })),
    { group: "Police" },
    { text: "G", name: "Gras", keys: "Ctrl+B", className: "bold", run: () => chain().toggleBold().run(), active: () => editor.isActive("bold"), can: () => editor.can().toggleBold() },
    { text: "I", name: "Italique", keys: "Ctrl+I", className: "italic", run: () => chain().toggleItalic().run(), active: () => editor.isActive("italic"), can: () => editor.can().toggleItalic() },
    { text: "abc", symbol: true, name: "Barré", keys: "Ctrl+Maj+S", className: "strike", run: () => chain().toggleStrike().run(), active: () => editor.isActive("strike"), can: () => editor.can().toggleStrike() },
    { group: "Paragraphe" },
    { text: "• Liste à puces", name: "Liste à puces", keys: "Ctrl+Maj+L", run: () => chain().toggleBulletList().run(), active: () => editor.isActive("bulletList") },
    { text: "Liste numérotée", name: "Liste numérotée", keys: "Ctrl+Maj+7", run: () => chain().toggleOrderedList().run(), active: () => editor.isActive("orderedList") },
    { text: "⇤", symbol: true, name: "Diminuer le retrait", keys: "Maj+Tab", run: () => chain().liftListItem("listItem").run(), can: () => editor.can().liftListItem("listItem") },
    { text: "⇥", symbol: true, name: "Augmenter le retrait", keys: "Tab", run: () => chain().sinkListItem("listItem").run(), can: () => editor.can().sinkListItem("listItem") },
    { text: "Citation", name: "Citation", run: () => chain().toggleBlockquote().run(), active: () => editor.isActive("blockquote") },
    { group: "Insertion" },
    { text: "Lien", name: "Lien", keys: "Ctrl+K", run: () => openLink(), active: () => editor.isActive("link") },
    { text: "Tableau", name: "Insérer un tableau", run: () => chain().insertTable({ rows: 3, cols: 3, withHeaderRow: true }).run(), can: () => !inTable() },
    { group: "Tableau" },
    { text: "+ Ligne", symbol: true, name: "Ajouter une ligne", run: () => chain().addRowAfter().run(), can: () => inTable() && editor.can().addRowAfter() },
    { text: "− Ligne", symbol: true, name: "Supprimer la ligne", run: () => chain().deleteRow().run(), can: () => inTable() && editor.can().deleteRow() },
    { text: "+ Colonne", symbol: true, name: "Ajouter une colonne", run: () => chain().addColumnAfter().run(), can: () => inTable() && editor.can().addColumnAfter() },
    { text: "− Colonne", symbol: true, name: "Supprimer la colonne", run: () => chain().deleteColumn().run(), can: () => inTable() && editor.can().deleteColumn() },
    { text: "Supprimer le tableau", name: "Supprimer le tableau", run: () => chain().deleteTable().run(), can: () => inTable() },
    { group: "Historique" },
    { text: "↶", symbol: true, name: "Annuler", keys: "Ctrl+Z", run: () => chain().undo().run(), can: () => editor.can().undo() },
    { text: "↷", symbol: true, name: "Rétablir", keys: "Ctrl+Y", run: () => chain().redo().run(), can: () => editor.can().redo() },
  ];
}

function ariaKeys(keys) {
  return keys
    .split(" ")[0]
    .replace("Ctrl", "Control")
    .replace("Maj", "Shift");
}

export function buildToolbar(editor, surfaceId, openLink) {
  const toolbar = document.createElement("div");
  toolbar.className = "rich-toolbar";
  toolbar.setAttribute("role", "toolbar");
  toolbar.setAttribute("aria-label", "Mise en forme du texte");
  toolbar.setAttribute("aria-controls", surfaceId);
  const buttons = [];
  let group = null;
  for (const control of controls(editor, openLink)) {
    if (control.group) {
      group = document.createElement("div");
      group.className = "rich-group";
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", control.group);
      toolbar.appendChild(group);
      continue;
    }
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = control.text;
    if (control.className) button.classList.add(control.className);
    const shortcut = control.keys ? control.keys.replace("Ctrl", SHORTCUT_MOD) : "";
    // The visible text is part of the name (WCAG 2.5.3), the shortcut in the tooltip.
    const named = control.symbol || control.name.toLowerCase().includes(control.text.toLowerCase());
    button.setAttribute("aria-label", named ? control.name : `${control.name} (${control.text})`);
    button.title = shortcut ? `${control.name} (${shortcut})` : control.name;
    if (control.keys && control.keys.startsWith("Ctrl")) button.setAttribute("aria-keyshortcuts", ariaKeys(control.keys));
    if (control.active) button.setAttribute("aria-pressed", "false");
    button.tabIndex = buttons.length === 0 ? 0 : -1;
    button.addEventListener("mousedown", (event) => event.preventDefault()); // keep the selection
    button.addEventListener("click", () => {
      if (button.getAttribute("aria-disabled") === "true") return;
      control.run();
      refresh();
    });
    group.appendChild(button);
    buttons.push([button, control]);
  }

  function refresh() {
    for (const [button, control] of buttons) {
      if (control.active) button.setAttribute("aria-pressed", String(Boolean(control.active())));
      const enabled = control.can ? Boolean(control.can()) : true;
      // aria-disabled, not disabled: the control stays reachable and says why it is idle.
      if (enabled) button.removeAttribute("aria-disabled");
      else button.setAttribute("aria-disabled", "true");
    }
  }

  function focusAt(index) {
    const count = buttons.length;
    const target = ((index % count) + count) % count;
    buttons.forEach(([button], i) => (button.tabIndex = i === target ? 0 : -1));
    buttons[target][0].focus();
  }

  toolbar.addEventListener("keydown", (event) => {
    const current = buttons.findIndex(([button]) => button === document.activeElement);
    if (current < 0) return;
    const moves = { ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: buttons.length - 1 };
    if (event.key in moves) {
      event.preventDefault();
      focusAt(moves[event.key]);
    } else if (event.key === "Escape") {
      event.preventDefault();
      editor.commands.focus();
    }
  });

  editor.on("selectionUpdate", refresh);
  editor.on("transaction", refresh);
  refresh();
  return {
    element: toolbar,
    focus: () => {
      const index = buttons.findIndex(([button]) => button.tabIndex === 0);
      focusAt(index < 0 ? 0 : index);
    },
  };
}

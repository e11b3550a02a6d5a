// What every editor page does besides editing, with or without the rich-text editor:
// keep a draft on the server a few seconds after each change and when the page is
// hidden, tell the server every 30 s that the page is open (the answer is the list of
// who else is there, rendered by the server), and on a proposal, show the changes it
// makes before it is sent.

const KEEPALIVE_LIMIT = 60000; // browsers refuse larger bodies on a page being closed

export function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

function post(url, body, keepalive = false) {
  return fetch(url, {
    method: "POST",
    body,
    credentials: "same-origin",
    headers: { "X-CSRFToken": csrfToken() },
    keepalive,
  });
}

function size(formData) {
  let total = 0;
  for (const [, value] of formData.entries()) total += typeof value === "string" ? value.length : 0;
  return total;
}

export function startCompanions(form, editor) {
  const status = form.querySelector("#draft-status");
  const autosave = 1000 * Number(form.dataset.autosaveSeconds || 3);
  const heartbeat = 1000 * Number(form.dataset.heartbeatSeconds || 30);
  let timer = null;
  let dirty = false;
  let saving = false;
  let submitting = false;
  let failing = false;

  const say = (text) => {
    if (status) status.textContent = text;
  };

  function fields() {
    if (editor) editor.syncField();
    return new FormData(form);
  }

  async function saveDraft(closing = false) {
    if (!form.dataset.draftUrl || submitting || !dirty) return;
    if (saving && !closing) {
      schedule();
      return;
    }
    clearTimeout(timer);
    const body = fields();
    dirty = false;
    saving = true;
    try {
      const response = await post(form.dataset.draftUrl, body, closing && size(body) < KEEPALIVE_LIMIT);
      const answer = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(answer.error || response.statusText);
      failing = false;
      if (answer.saved) {
        const time = new Date(answer.saved_at).toLocaleTimeString("fr-FR");
        say(`Brouillon enregistré à ${time} : rien de ce que vous tapez n'est perdu.`);
      } else {
        say("Aucune modification à conserver en brouillon.");
      }
    } catch (error) {
      dirty = true;
      failing = true;
      say(`Brouillon non enregistré (${error.message || "connexion perdue"}) : nouvel essai dans quelques secondes.`);
      schedule(4 * autosave);
    } finally {
      saving = false;
    }
  }

  function schedule(delay = autosave) {
    clearTimeout(timer);
    timer = setTimeout(() => saveDraft(), delay);
  }

  function changed() {
    dirty = true;
    hidePreviewSend();
    schedule();
  }

  form.addEventListener("input", changed);
  if (editor) editor.onChange(changed);
  form.addEventListener("submit", () => {
    submitting = true;
    clearTimeout(timer);
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") saveDraft(true);
  });
  window.addEventListener("pagehide", () => {
    saveDraft(true);
    presence(true);
  });
  window.addEventListener("beforeunload", (event) => {
    // Only when the server has not got the latest text: otherwise the draft holds it.
    if (dirty && failing && !submitting) event.preventDefault();
  });

  // --- presence --------------------------------------------------------------------
  const panel = document.getElementById("editor-presence");
  async function presence(leaving = false) {
    if (!form.dataset.presenceUrl) return;
    const body = new FormData();
    body.append("csrf_token", csrfToken());
    if (leaving) body.append("leaving", "1");
    try {
      const response = await post(form.dataset.presenceUrl, body, leaving);
      if (response.ok && panel && !leaving) panel.innerHTML = await response.text();
    } catch {
      // The next heartbeat tries again; presence is a courtesy, not a lock.
    }
  }
  presence();
  setInterval(() => presence(), heartbeat);

  // --- a proposal's preview --------------------------------------------------------
  const previewButton = form.querySelector("[data-preview-button]");
  const sendButton = form.querySelector("[data-send-button]");
  const preview = form.querySelector("#proposal-preview");
  function hidePreviewSend() {
    if (previewButton && sendButton) sendButton.hidden = true;
  }
  if (form.dataset.previewUrl && previewButton && sendButton && preview) {
    previewButton.hidden = false;
    sendButton.hidden = true;
    previewButton.addEventListener("click", async () => {
      previewButton.setAttribute("aria-busy", "true");
      try {
        const response = await post(form.dataset.previewUrl, fields());
        preview.innerHTML = await response.text();
        preview.hidden = false;
        sendButton.hidden = !response.ok || Boolean(preview.querySelector(".flash"));
        const title = preview.querySelector("#preview-title");
        if (title) title.focus();
      } catch (error) {
        preview.hidden = false;
        preview.textContent = `Aperçu impossible (${error.message || "connexion perdue"}).`;
      } finally {
        previewButton.removeAttribute("aria-busy");
      }
    });
  }
}

// Progressive enhancement only: every core flow works without JavaScript.
// Any fetch() to a form endpoint must send the token: headers {"X-CSRFToken": csrfToken()}.
"use strict";

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

// Warn before leaving an editor with unsaved text: nothing typed should be lost.
document.querySelectorAll("form.editor").forEach((form) => {
  const initial = new FormData(form).get("body");
  let submitting = false;
  form.addEventListener("submit", () => { submitting = true; });
  window.addEventListener("beforeunload", (event) => {
    if (!submitting && new FormData(form).get("body") !== initial) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
});

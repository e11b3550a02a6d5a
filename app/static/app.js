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

// A refused form marks its error (or its field) autofocus; browsers skip autofocus
// when the address names an anchor (#preparation, #revue), which is exactly where a
// refusal sends the user back: focus it here so that the error is where they look.
window.addEventListener("load", () => {
  const target = document.querySelector("[autofocus]");
  if (target && (document.activeElement === document.body || !document.activeElement)) {
    target.focus();
  }
});

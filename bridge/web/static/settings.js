// Copy buttons of the settings pages: shown only when this script runs; the value stays selectable.
"use strict";

document.querySelectorAll("button[data-copy]").forEach((button) => {
  const field = document.getElementById(button.dataset.copy);
  const status = button.parentElement.querySelector(".copy-status");
  button.hidden = false;
  button.addEventListener("click", async () => {
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
      status.textContent = "Copied.";
    } catch {
      // Without clipboard access (an http page, a refused permission) the text is left selected.
      status.textContent = "Selected: press Ctrl+C (⌘C) to copy.";
    }
  });
});

// The receipt's Print button: shown only where a script can print (the browser's own Print
// works everywhere, with the same print stylesheet).
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-print]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
});

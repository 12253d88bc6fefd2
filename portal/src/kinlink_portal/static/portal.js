// After a refused form, the list of what to fix takes the focus: a screen reader reads it
// first, and Tab goes from it to the first field at fault. Pages work the same without it.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
});

// The theme binds each sidebar button's handler to the FIRST `.primary-toggle` and
// `.secondary-toggle` on the page, which is a hidden one: the buttons a reader sees did
// nothing. Every other button of the same kind now clicks that first one, so the theme's own
// behaviour runs (a dialog on narrow screens, a collapsing sidebar on wide ones).
document.addEventListener("DOMContentLoaded", () => {
  for (const kind of ["primary-toggle", "secondary-toggle"]) {
    const [bound, ...others] = document.querySelectorAll(`.${kind}`);
    for (const button of others) {
      button.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation();
        bound.click();
      });
    }
  }
});

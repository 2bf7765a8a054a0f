// The document page's Layers control: ticking or unticking a layer redraws the page with only the chosen layers.
(function () {
  "use strict";
  document.addEventListener("change", (event) => {
    const box = event.target;
    if (box.matches && box.matches("form[data-layers] input[type=checkbox]")) box.form.submit();
  });
})();

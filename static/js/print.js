// The printable copy's "Drukāt / saglabāt PDF" button: hidden until this
// script runs (the page works without it), it opens the print dialog.
(function () {
  'use strict';
  var button = document.getElementById('print-button');
  if (!button) return;
  button.hidden = false;
  button.addEventListener('click', function () { window.print(); });
})();

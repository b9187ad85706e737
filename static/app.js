// The one first-party script. Everything works without it; it adds the NHS components and htmx.
import { initAll } from '/static/nhsuk/nhsuk-frontend.min.js';
import '/static/htmx/htmx.esm.min.js';

document.body.classList.add('nhsuk-frontend-supported', 'js-enabled');
initAll();

// What "valid HTML" means for Tasters: the errors the W3C Nu HTML checker (validator.w3.org/nu)
// reports, checked with html-validate so every test can check every page it renders. The top-level
// .htmlvalidate.mjs re-exports this, so `npx html-validate page.html` checks a saved page the same way.
//
// html-validate:standard is the spec-conformance preset: content models and nesting
// (element-permitted-*, element-required-*), required attributes, allowed attribute values,
// obsolete elements and attributes (deprecated, no-deprecated-attr), duplicate ids and attributes,
// bad character references, void elements with content, unclosed or misordered tags.
// html-validate:recommended adds rules of style or taste the Nu checker does not report as errors
// (attribute quoting, implicit button types, no inline style, heading levels…): those stay off.
import { defineConfig } from 'html-validate';
import tasters from './rules.ts';

export default defineConfig({
  root: true,
  extends: ['html-validate:standard'],
  plugins: [tasters],
  elements: [
    'html5',
    {
      // htmx 4's element for a second region in a response (an out-of-band partial): a valid
      // custom element name, turned into <template hx type="partial"> before htmx swaps anything.
      // htmx reads its target and swap from data-hx-target and data-hx-swap as well as hx-*.
      'hx-partial': { flow: true, permittedContent: ['@flow'] },
    },
  ],
  rules: {
    // Nu: "Attribute hx-get not allowed on element form at this point." Only data-*, aria-* and
    // the attributes HTML defines for the element pass (htmx reads data-hx-* too). html-validate's
    // own no-unknown-attributes knows too few attributes to use (not name or value on <input>).
    'tasters/known-attribute': 'error',
    // Nu: "Element foo not allowed as child of…" for elements HTML does not define (custom
    // elements, with a hyphen, are allowed there only when declared above).
    'no-unknown-elements': 'error',
    // Nu: "Start tag seen without seeing a doctype first." (pages only: fragments have none)
    'missing-doctype': 'error',
    // Nu: "The aria-describedby attribute must point to an element in the same document", and the
    // same for for, aria-labelledby, aria-controls, list… (pages only: a fragment points into its page)
    'no-missing-references': 'error',
    // Nu: "Element title must not be empty."
    'empty-title': 'error',
    // Nu: "Attribute maxlength is only allowed when the input type is…"
    'input-attributes': 'error',
    // Nu: "Self-closing syntax (/>) used on a non-void HTML element." (SVG content may self-close)
    'no-self-closing': 'error',
    // Nu: "An img element must have an alt attribute", and the same for input type=image.
    'wcag/h37': 'error',
    'wcag/h36': 'error',
    // Nu: "Bad value text for attribute role on element span."
    'tasters/valid-role': 'error',
    // Nu: "The role attribute must not be used on a td element which has a table ancestor with no
    // role attribute, or with a role attribute whose value is table, grid, or treegrid."
    'tasters/table-cell-role': 'error',
  },
});

/** The same rules for an htmx fragment: a piece of a page, so no doctype and references into the page. */
export const fragmentRules = { 'missing-doctype': 'off', 'no-missing-references': 'off' } as const;

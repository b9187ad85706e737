// Checks the W3C Nu HTML checker makes that html-validate has no working rule for. Each reports
// what the Nu checker reports as an error, in the same cases, so a page clean here is clean there.
import { DOMTokenList, definePlugin, type HtmlElement, Rule } from 'html-validate';

// WAI-ARIA 1.2 roles (abstract ones included: html-validate's no-abstract-role reports those),
// Digital Publishing (doc-*) and Graphics (graphics-*) roles: the values the Nu checker accepts.
const roles = new Set(
  [
    'alert alertdialog application article banner blockquote button caption cell checkbox code columnheader combobox',
    'complementary contentinfo definition deletion dialog directory document emphasis feed figure form generic grid',
    'gridcell group heading img insertion link list listbox listitem log main marquee math menu menubar menuitem',
    'menuitemcheckbox menuitemradio meter navigation none note option paragraph presentation progressbar radio',
    'radiogroup region row rowgroup rowheader scrollbar search searchbox separator slider spinbutton status strong',
    'subscript superscript switch tab table tablist tabpanel term textbox time timer toolbar tooltip tree treegrid',
    'treeitem',
    'command composite input landmark range roletype section sectionhead select structure widget window',
    'doc-abstract doc-acknowledgments doc-afterword doc-appendix doc-backlink doc-biblioentry doc-bibliography',
    'doc-biblioref doc-chapter doc-colophon doc-conclusion doc-cover doc-credit doc-credits doc-dedication doc-endnote',
    'doc-endnotes doc-epigraph doc-epilogue doc-errata doc-example doc-footnote doc-foreword doc-glossary',
    'doc-glossref doc-index doc-introduction doc-noteref doc-notice doc-pagebreak doc-pagefooter doc-pageheader',
    'doc-pagelist doc-part doc-preface doc-prologue doc-pullquote doc-qna doc-subtitle doc-tip doc-toc',
    'graphics-document graphics-object graphics-symbol',
  ]
    .join(' ')
    .split(' '),
);

/** `role="text"` and other made-up roles: the Nu checker says "Bad value … for attribute role". */
class ValidRole extends Rule<{ role: string }> {
  override documentation() {
    return { description: 'Every token of the role attribute must be a WAI-ARIA role (`text`, for one, is not).' };
  }
  override setup() {
    this.on('attr', (event) => {
      if (event.key.toLowerCase() !== 'role' || typeof event.value !== 'string') return;
      const tokens = new DOMTokenList(event.value, event.valueLocation);
      for (const { item: role, location } of tokens.iterator()) {
        if (!roles.has(role))
          this.report({ node: event.target, message: `Bad value "${role}" for attribute "role": not a WAI-ARIA role`, location, context: { role } });
      }
    });
  }
}

/**
 * A role on tr, td or th is allowed only inside a table whose own role is something else than
 * table, grid or treegrid (a table used for layout, role="presentation"). Elsewhere the Nu checker
 * reports it, because the element already has the row or cell role from its table.
 */
class TableCellRole extends Rule<{ tagName: string }> {
  override documentation() {
    return { description: 'A row or cell of a table exposed as a table, grid or treegrid must not have a role of its own.' };
  }
  override setup() {
    this.on('dom:ready', (event) => {
      for (const node of event.document.querySelectorAll('tr[role], td[role], th[role]')) {
        const table = ancestorTable(node);
        if (!table) continue;
        const tableRole = table.getAttributeValue('role')?.trim().split(/\s+/)[0];
        if (tableRole && !['table', 'grid', 'treegrid'].includes(tableRole)) continue;
        this.report({
          node,
          message: `The "role" attribute must not be used on <${node.tagName}> in a table with no role or with role table, grid or treegrid`,
          location: node.getAttribute('role')?.keyLocation ?? node.location,
          context: { tagName: node.tagName },
        });
      }
    });
  }
}

// The attributes HTML defines for each element (WHATWG HTML, index of attributes), beyond the
// global ones. html-validate's own no-unknown-attributes cannot be used: its element metadata
// lists only the attributes it has constraints for (not even name and value on <input>).
const elementAttributes: Record<string, string> = {
  a: 'href target download ping rel hreflang type referrerpolicy',
  area: 'alt coords shape href target download ping rel referrerpolicy',
  audio: 'src crossorigin preload autoplay loop muted controls',
  base: 'href target',
  blockquote: 'cite',
  button: 'command commandfor disabled form formaction formenctype formmethod formnovalidate formtarget name popovertarget popovertargetaction type value',
  canvas: 'width height',
  col: 'span',
  colgroup: 'span',
  data: 'value',
  del: 'cite datetime',
  details: 'name open',
  dialog: 'open closedby',
  embed: 'src type width height',
  fieldset: 'disabled form name',
  form: 'accept-charset action autocomplete enctype method name novalidate rel target',
  html: 'xmlns',
  iframe: 'src srcdoc name sandbox allow allowfullscreen width height referrerpolicy loading',
  img: 'alt src srcset sizes crossorigin usemap ismap width height referrerpolicy decoding loading fetchpriority',
  input:
    'accept alpha alt autocomplete checked colorspace dirname disabled form formaction formenctype formmethod formnovalidate formtarget height list max maxlength min minlength multiple name pattern placeholder popovertarget popovertargetaction readonly required size src step type value width',
  ins: 'cite datetime',
  label: 'for',
  li: 'value',
  link: 'href crossorigin rel as media hreflang type sizes imagesrcset imagesizes referrerpolicy integrity blocking color disabled fetchpriority',
  map: 'name',
  meta: 'name http-equiv content charset media',
  meter: 'value min max low high optimum',
  object: 'data type name form width height',
  ol: 'reversed start type',
  optgroup: 'disabled label',
  option: 'disabled label selected value',
  output: 'for form name',
  progress: 'value max',
  q: 'cite',
  script: 'src type nomodule async defer blocking crossorigin referrerpolicy integrity fetchpriority',
  select: 'autocomplete disabled form multiple name required size',
  slot: 'name',
  source: 'type media src srcset sizes width height',
  style: 'media blocking',
  td: 'colspan rowspan headers',
  template: 'shadowrootmode shadowrootdelegatesfocus shadowrootclonable shadowrootserializable shadowrootcustomelementregistry',
  textarea: 'autocomplete cols dirname disabled form maxlength minlength name placeholder readonly required rows wrap',
  th: 'colspan rowspan headers scope abbr',
  time: 'datetime',
  track: 'default kind label src srclang',
  video: 'src crossorigin poster preload autoplay playsinline loop muted controls width height',
};
const allowed = new Map(Object.entries(elementAttributes).map(([tag, names]) => [tag, new Set(names.split(' '))]));

/**
 * An attribute HTML does not define for the element: the Nu checker's "Attribute hx-get not
 * allowed on element form at this point". data-* and aria-* attributes, event handlers, the global
 * attributes and those html-validate knows (obsolete ones, which no-deprecated-attr reports) pass.
 * SVG and MathML content is left alone: its attributes are another vocabulary.
 */
class KnownAttribute extends Rule<{ tagName: string; attr: string }> {
  override documentation(context: { tagName: string; attr: string }) {
    return { description: `HTML does not define the \`${context.attr}\` attribute on \`<${context.tagName}>\` (htmx reads the data-hx-* form too).` };
  }
  override setup() {
    this.on('attr', (event) => {
      const node = event.target;
      const tag = node.tagName.toLowerCase();
      const name = event.key.toLowerCase();
      if (/^(data-|aria-|on[a-z])/.test(name)) return;
      if (inForeignContent(node)) return;
      if (globalAttributes.has(name) || allowed.get(tag)?.has(name) || (node.meta && name in node.meta.attributes)) return;
      this.report({
        node,
        message: `Attribute "${event.key}" is not allowed on <${tag}>`,
        location: event.keyLocation,
        context: { tagName: tag, attr: event.key },
      });
    });
  }
}

// HTML's global attributes, with those html-validate's metadata gives every element ("*" there).
const globalAttributes = new Set(
  (
    'accesskey autocapitalize autocorrect autofocus class contenteditable dir draggable enterkeyhint exportparts hidden id inert ' +
    'inputmode is itemid itemprop itemref itemscope itemtype lang nonce part popover role slot spellcheck style tabindex title ' +
    'translate writingsuggestions headingoffset headingreset'
  ).split(' '),
);

function inForeignContent(node: HtmlElement): boolean {
  for (let at: HtmlElement | null = node; at; at = at.parent) if (at.tagName === 'svg' || at.tagName === 'math') return true;
  return false;
}

function ancestorTable(node: HtmlElement): HtmlElement | null {
  for (let parent = node.parent; parent; parent = parent.parent) if (parent.is('table')) return parent;
  return null;
}

export default definePlugin({
  name: 'tasters',
  rules: { 'tasters/known-attribute': KnownAttribute, 'tasters/valid-role': ValidRole, 'tasters/table-cell-role': TableCellRole },
});

// A small HTML reader for the server-rendered pages' tests: the element tree of <body> (tags, attributes, text),
// enough to check landmarks and read what a person sees. Not a general HTML parser: it reads Keyholder's own pages
// (well-formed, no omitted end tags), and throws when a tag is left open or closed out of order.

export interface HtmlElement {
  readonly tag: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: Array<HtmlElement | string>;
}

const VOID = new Set(['meta', 'link', 'br', 'hr', 'img', 'input', 'source', 'wbr', 'col', 'area', 'base']);
const RAW_TEXT = new Set(['style', 'script', 'textarea', 'title']);
const TOKEN =
  /<!--[\s\S]*?-->|<!doctype[^>]*>|<\/([a-z][a-z0-9-]*)\s*>|<([a-z][a-z0-9-]*)((?:\s+[^\s=>]+(?:="[^"]*")?)*)\s*\/?>|([^<]+)/giy;
const INLINE = new Set(['a', 'strong', 'em', 'code', 'span', 'label', 'abbr', 'time', '#root']);
const ATTRIBUTE = /([^\s=>]+)(?:="([^"]*)")?/g;

export function decodeEntities(text: string): string {
  return text
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&amp;', '&');
}

/** The whole document as a tree under a synthetic root. */
export function parseHtml(html: string): HtmlElement {
  const root: HtmlElement = { tag: '#root', attributes: {}, children: [] };
  const stack: HtmlElement[] = [root];
  TOKEN.lastIndex = 0;
  let index = 0;
  while (index < html.length) {
    TOKEN.lastIndex = index;
    const match = TOKEN.exec(html);
    if (!match) throw new Error(`unreadable HTML at ${index}: ${html.slice(index, index + 40)}`);
    index = TOKEN.lastIndex;
    const [token, closing, opening, attributeText, text] = match;
    const current = stack.at(-1) as HtmlElement;
    if (text !== undefined) current.children.push(decodeEntities(text));
    else if (closing) {
      const tag = closing.toLowerCase();
      if (current.tag !== tag) throw new Error(`</${tag}> closes <${current.tag}>`);
      stack.pop();
    } else if (opening) {
      const tag = opening.toLowerCase();
      const attributes: Record<string, string> = {};
      for (const [, name, value] of (attributeText ?? '').matchAll(ATTRIBUTE)) {
        if (name) attributes[name.toLowerCase()] = decodeEntities(value ?? '');
      }
      const element: HtmlElement = { tag, attributes, children: [] };
      current.children.push(element);
      if (RAW_TEXT.has(tag)) {
        const end = html.toLowerCase().indexOf(`</${tag}>`, index);
        if (end < 0) throw new Error(`<${tag}> is never closed`);
        element.children.push(decodeEntities(html.slice(index, end)));
        index = end + tag.length + 3;
      } else if (!VOID.has(tag) && !token.endsWith('/>')) stack.push(element);
    }
  }
  if (stack.length !== 1) throw new Error(`<${stack.at(-1)?.tag}> is never closed`);
  return root;
}

export function elements(node: HtmlElement, tag?: string): HtmlElement[] {
  const found: HtmlElement[] = [];
  for (const child of node.children) {
    if (typeof child === 'string') continue;
    if (tag === undefined || child.tag === tag) found.push(child);
    found.push(...elements(child, tag));
  }
  return found;
}

export function bodyOf(html: string): HtmlElement {
  const [body, ...more] = elements(parseHtml(html), 'body');
  if (!body || more.length > 0) throw new Error('expected exactly one <body>');
  return body;
}

/** The text inside a node, as a person reads it (whitespace collapsed; no style or script). */
export function textOf(node: HtmlElement | string): string {
  if (typeof node === 'string') return node;
  if (node.tag === 'style' || node.tag === 'script') return '';
  const inner = node.children.map(textOf).join('');
  return (INLINE.has(node.tag) ? inner : ` ${inner} `).replace(/\s+/g, ' ');
}

/** What sits directly in <body>: the tags of its elements, and any text that is not only whitespace. */
export function bodyOutline(html: string): { readonly tags: string[]; readonly strayText: string[] } {
  const body = bodyOf(html);
  return {
    tags: body.children.filter((child): child is HtmlElement => typeof child !== 'string').map((e) => e.tag),
    strayText: body.children.filter(
      (child): child is string => typeof child === 'string' && child.trim() !== '',
    ),
  };
}

/** The definition list's rows as [term, description] text pairs. */
export function definitions(html: string): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  for (const list of elements(bodyOf(html), 'dl')) {
    const items = list.children.filter((child): child is HtmlElement => typeof child !== 'string');
    for (let index = 0; index < items.length; index += 2) {
      const [term, description] = [items[index], items[index + 1]];
      if (term?.tag !== 'dt' || description?.tag !== 'dd')
        throw new Error('a <dl> must alternate <dt> and <dd>');
      rows.push([textOf(term).trim(), textOf(description).trim()]);
    }
  }
  return rows;
}

// A small strict XML reader for the SVGs under test (no XML parser is installed): checks that tags balance,
// attributes are well-formed and entities are known, and returns the element tree.

export interface XmlElement { name: string; attributes: Record<string, string>; children: XmlElement[]; text: string }

const ENTITY = /&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;

function decode(raw: string, where: number): string {
  const stray = raw.replace(ENTITY, '').indexOf('&');
  if (stray >= 0) throw new Error(`XML: unknown entity near offset ${where}`);
  return raw.replace(ENTITY, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[e]
    ?? String.fromCodePoint(e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)));
}

export function parseXml(source: string): XmlElement {
  const root: XmlElement = { name: '#document', attributes: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  const token = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>|<\/([A-Za-z_][\w:.-]*)\s*>|<([A-Za-z_][\w:.-]*)((?:\s+[A-Za-z_][\w:.-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>|([^<]+)|(<)/g;
  let match: RegExpExecArray | null;
  while ((match = token.exec(source)) !== null) {
    const [, closeName, openName, attrs, selfClose, text, strayLt] = match;
    const top = stack[stack.length - 1];
    if (strayLt) throw new Error(`XML: malformed tag at offset ${match.index}`);
    if (text !== undefined) {
      if (stack.length === 1 && text.trim()) throw new Error(`XML: text outside the root at offset ${match.index}`);
      top.text += decode(text, match.index);
    } else if (closeName) {
      if (top.name !== closeName) throw new Error(`XML: </${closeName}> closes <${top.name}> at offset ${match.index}`);
      stack.pop();
    } else if (openName) {
      const attributes: Record<string, string> = {};
      for (const a of attrs.matchAll(/([A-Za-z_][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
        if (a[1] in attributes) throw new Error(`XML: duplicate attribute ${a[1]} at offset ${match.index}`);
        attributes[a[1]] = decode(a[2] ?? a[3], match.index);
      }
      const element: XmlElement = { name: openName, attributes, children: [], text: '' };
      if (stack.length === 1 && root.children.length > 0) throw new Error('XML: more than one root element');
      top.children.push(element);
      if (!selfClose) stack.push(element);
    }
  }
  if (stack.length !== 1) throw new Error(`XML: <${stack[stack.length - 1].name}> is never closed`);
  if (root.children.length !== 1) throw new Error('XML: no root element');
  return root.children[0];
}

export function* walk(element: XmlElement): Generator<XmlElement> {
  yield element;
  for (const child of element.children) yield* walk(child);
}

export function findAll(element: XmlElement, test: (e: XmlElement) => boolean): XmlElement[] {
  return [...walk(element)].filter(test);
}

/** Text of every <text> element, in document order. */
export function texts(element: XmlElement): string[] {
  return findAll(element, (e) => e.name === 'text').map((e) => e.text + e.children.map((c) => c.text).join(''));
}

export function hasClass(element: XmlElement, name: string): boolean {
  return (element.attributes.class ?? '').split(/\s+/).includes(name);
}

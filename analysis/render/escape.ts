/**
 * The one place text becomes HTML. Every string that reaches index.html (titles, captions, cells, chart labels,
 * attribute values) goes through {@link escapeHtml}: the data is NYPD free text (street names, makes) and stored
 * records anyone could have written, so nothing is trusted to be markup-free.
 */

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Text escaped for HTML and SVG element content and quoted attribute values.
 *
 * @example
 * escapeHtml('<b>"R&D"</b>'); // '&lt;b&gt;&quot;R&amp;D&quot;&lt;/b&gt;'
 */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);

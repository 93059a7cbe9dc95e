/** The seed's images: coloured `data:image/svg+xml` URLs, so that nothing is fetched from the network. */

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function svgDataUrl(svg: string): string {
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

/** A coloured rounded square with the connector's initial, as a `data:image/svg+xml` URL. */
export function iconDataUrl(name: string, color: string): string {
  const initial = escapeXml((name.trim()[0] ?? '?').toUpperCase());
  return svgDataUrl(
    '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">' +
      `<rect width="64" height="64" rx="14" fill="${color}"/>` +
      '<text x="32" y="43" font-family="Helvetica,Arial,sans-serif" font-size="30" font-weight="700" fill="#fff" text-anchor="middle">' +
      `${initial}</text></svg>`,
  );
}

/** A wide logo: the icon's square followed by the name, as a `data:image/svg+xml` URL. */
export function logoDataUrl(name: string, color: string): string {
  const initial = escapeXml((name.trim()[0] ?? '?').toUpperCase());
  return svgDataUrl(
    '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="64" viewBox="0 0 240 64">' +
      `<rect width="64" height="64" rx="14" fill="${color}"/>` +
      '<text x="32" y="43" font-family="Helvetica,Arial,sans-serif" font-size="30" font-weight="700" fill="#fff" text-anchor="middle">' +
      `${initial}</text>` +
      `<text x="76" y="41" font-family="Helvetica,Arial,sans-serif" font-size="22" font-weight="600" fill="${color}">` +
      `${escapeXml(name)}</text></svg>`,
  );
}

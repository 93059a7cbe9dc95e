/** A single-use `state` (or flow id): 128 random bits from `crypto.getRandomValues`, base64url without padding (22 chars). */
export function randomState(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

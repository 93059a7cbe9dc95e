/**
 * How many times each element's status filter has changed its choice. The windowed list keeps each group's matching
 * rows while nothing changes; it reads this to know when the filter has (both are lazy chunks: the first load carries
 * neither this nor a key for it).
 */
const versions = new WeakMap<object, number>();

export function filterVersion(host: object): number {
  return versions.get(host) ?? 0;
}

export function filterChanged(host: object): void {
  versions.set(host, filterVersion(host) + 1);
}

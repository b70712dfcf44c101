/** A value built on first use and kept for the process's life (a warm Lambda container reuses it). */
export function once<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= build());
}

/**
 * The one JSON encoder of the CLI: addresses are bigint inside the library and become hex
 * strings ("0x7f…") here, the form /proc prints them in; Maps become objects.
 */
export function toJson(data: unknown): string {
  return JSON.stringify(
    data,
    (_key, value: unknown) => {
      if (typeof value === 'bigint') return `0x${value.toString(16)}`;
      if (value instanceof Map) return Object.fromEntries(value);
      if (value instanceof Set) return [...value];
      return value;
    },
    2,
  );
}

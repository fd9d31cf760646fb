/**
 * Line splitting without regexes or intermediate arrays, sync over a string and async over chunks.
 */

/** Each non-empty line of `text`, without its newline. */
export function* linesOf(text: string): Generator<string> {
  let pos = 0;
  const n = text.length;
  while (pos < n) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = n;
    if (nl > pos) yield text.slice(pos, nl);
    pos = nl + 1;
  }
}

/** Each non-empty line across chunk boundaries. */
export async function* linesOfChunks(chunks: AsyncIterable<string>): AsyncGenerator<string> {
  let carry = '';
  for await (const chunk of chunks) {
    const text = carry === '' ? chunk : carry + chunk;
    const last = text.lastIndexOf('\n');
    if (last < 0) {
      carry = text;
      continue;
    }
    carry = text.slice(last + 1);
    yield* linesOf(text.slice(0, last));
  }
  if (carry !== '') yield carry;
}

/**
 * Text lines of a byte stream, for reading child processes' output as it comes.
 *
 * @module
 */

/**
 * Yields each line of a UTF-8 byte stream (without its newline), the last one even unterminated.
 *
 * @example
 * ```ts ignore
 * for await (const line of textLines(child.stdout)) console.log(line);
 * ```
 */
export async function* textLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buffer = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    let i: number;
    while ((i = buffer.indexOf("\n")) >= 0) {
      yield buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
    }
  }
  if (buffer) yield buffer;
}

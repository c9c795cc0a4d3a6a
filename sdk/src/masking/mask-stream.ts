import { defaultSecrets, type SecretRegistry } from "./secret-registry.js";

/**
 * Masks secrets in text that arrives in pieces. A secret split across two writes is still
 * masked: the end of a piece that could be the start of a secret is held back until the next
 * piece (or `end()`) shows whether it is one. What is held back is never longer than the
 * longest form of a secret: a masked range that may still grow (a long run of overlapping
 * matches) has its `***` written at once and is then only extended, not held.
 *
 * @example
 * ```ts
 * const masker = new SecretMasker();
 * out.write(masker.write("tok")); // "" (held back)
 * out.write(masker.write("en123 done")); // "*** done" when "token123" is a secret
 * out.write(masker.end());
 * ```
 */
export class SecretMasker {
  readonly #secrets: SecretRegistry;
  #pending = "";
  // How many characters at the start of #pending a `***` already written covers.
  #open = 0;

  /** @param secrets - The registry to mask with (default: the process-wide one). */
  constructor(secrets: SecretRegistry = defaultSecrets) {
    this.#secrets = secrets;
  }

  /**
   * Takes the next piece of text and returns what can safely be written now.
   *
   * @param text - The next piece of output.
   */
  write(text: string): string {
    // Pending text is kept raw: masking it early could hide the start of a longer form.
    const raw = this.#pending + text;
    const step = this.#secrets.maskPart(raw, false, this.#open);
    this.#pending = raw.slice(step.keep);
    this.#open = step.open;
    return step.out;
  }

  /** How many characters are held back (never more than the longest secret form). */
  get held(): number {
    return this.#pending.length;
  }

  /** Returns whatever is still held back, masked. Call once, when the input ends. */
  end(): string {
    const rest = this.#secrets.maskPart(this.#pending, true, this.#open).out;
    this.#pending = "";
    this.#open = 0;
    return rest;
  }
}

/** Options of `createMaskingStream`. */
export interface MaskingStreamOptions {
  /** The registry to mask with (default: the process-wide one). */
  secrets?: SecretRegistry;
}

/**
 * A web `TransformStream` that decodes UTF-8 (bytes may split a character), masks every
 * registered secret, including one split across chunks, and encodes the result as UTF-8.
 * Works in Node, Deno and Bun.
 *
 * @example
 * ```ts
 * await child.stdout.pipeThrough(createMaskingStream()).pipeTo(Deno.stdout.writable);
 * ```
 */
export function createMaskingStream(
  options: MaskingStreamOptions = {},
): TransformStream<Uint8Array | string, Uint8Array> {
  const masker = new SecretMasker(options.secrets);
  const decoder = new TextDecoder("utf-8");
  const encoder = new TextEncoder();
  return new TransformStream<Uint8Array | string, Uint8Array>({
    transform(chunk, controller) {
      const text = typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
      const out = masker.write(text);
      if (out !== "") controller.enqueue(encoder.encode(out));
    },
    flush(controller) {
      const out = masker.write(decoder.decode()) + masker.end();
      if (out !== "") controller.enqueue(encoder.encode(out));
    },
  });
}

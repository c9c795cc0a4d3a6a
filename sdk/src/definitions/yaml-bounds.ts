/**
 * What keeps the YAML parse of a repository's file bounded: shapes refused before parsing (deep
 * flow nesting, a flood of documents), duplicate keys found with a set per map (the parser's
 * own check compares every pair), and aliases that make a value contain itself.
 */
import { type Document, isScalar, visit } from "yaml";

/** Deeper flow nesting (`[[[...`) than any manifest holds; the parser's memory grows ~900x with it. */
const MAX_FLOW_DEPTH = 512;
/** More documents in one file than any repository holds (a rendered chart has a few thousand). */
const MAX_DOCUMENTS = 50_000;

/**
 * Why `text` is refused before it is parsed, or `undefined`: a shape that costs the YAML parser
 * far more memory than the file's size (4 MB of `[` took 3.5 GB), found in one pass. Brackets in
 * quoted strings count too: a manifest never opens 512 of them without closing one.
 */
export function shapeProblem(text: string): string | undefined {
  let depth = 0;
  let documents = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_FLOW_DEPTH)
        return `more than ${MAX_FLOW_DEPTH} nested [ or { (a manifest needs a handful): split or fix the file`;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
    else if (
      c === 0x2d &&
      (i === 0 || text.charCodeAt(i - 1) === 0x0a) &&
      text.startsWith("---", i)
    ) {
      if (++documents > MAX_DOCUMENTS)
        return `more than ${MAX_DOCUMENTS} documents in one file: split it into smaller files`;
    }
  }
  return undefined;
}

/**
 * The offset of the first key that repeats a key of its map (as YAML and kubectl refuse it), or
 * `undefined`. A set per map: linear in the number of keys. Merge keys (`<<`) may repeat.
 */
export function duplicateKey(document: Document.Parsed): number | undefined {
  let found: number | undefined;
  visit(document, {
    Map(_key, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const key = pair.key;
        if (!isScalar(key) || key.value === "<<") continue;
        const id = `${typeof key.value}:${String(key.value)}`;
        if (seen.has(id)) {
          found = key.range?.[0] ?? 0;
          return visit.BREAK;
        }
        seen.add(id);
      }
      return undefined;
    },
  });
  return found;
}

/** Where the first alias inside the very node it refers to is (a cycle), if any. */
export function cyclicAlias(document: Document.Parsed): number | undefined {
  let found: number | undefined;
  visit(document, {
    Alias(_key, node, path) {
      const target = node.resolve(document);
      if (target !== undefined && path.includes(target)) {
        found = node.range?.[0] ?? 0;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

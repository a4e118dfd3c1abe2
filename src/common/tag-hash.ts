/**
 * Java's String.hashCode over UTF-16 code units, as a signed int32: the tag hash code stored in
 * ConsumeQueue entries and sent in subscriptions' codeSet (protocol.md s.3), and the key hash of
 * IndexFile entries. `seed` continues a hash: javaStringHashCode(b, javaStringHashCode(a)) equals
 * javaStringHashCode(a + b), which spares building "topic#key" strings on the index path.
 */
export function javaStringHashCode(s: string, seed = 0): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** MessageExtBrokerInner.tagsString2tagsCode in 4.9: the hash of the whole TAGS value, 0 when empty. */
export function tagsString2tagsCode(tags: string | undefined): number {
  if (!tags) return 0;
  return javaStringHashCode(tags);
}

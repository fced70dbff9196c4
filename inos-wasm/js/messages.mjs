// Test messages: [tag u32][seq u32][fnv1a32(body) u32][body], body length and bytes derived from
// (tag, seq) so the consumer can check every byte, not only the checksum. For fixed-size rings
// (ring.md §3.3) every message has one size, given as `fixedSize` (at least 12).

export function fnv1a32(bytes, start = 0, end = bytes.length) {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

const bodyLen = (tag, seq, maxBody, fixedSize) =>
  fixedSize === undefined ? (seq * 37 + tag * 11) % (maxBody + 1) : fixedSize - 12;
const bodyByte = (tag, seq, i) => (seq * 31 + tag * 7 + i) & 0xff;

export function makeMessage(tag, seq, maxBody, fixedSize) {
  const n = bodyLen(tag, seq, maxBody, fixedSize);
  const msg = new Uint8Array(12 + n);
  for (let i = 0; i < n; i++) msg[12 + i] = bodyByte(tag, seq, i);
  const dv = new DataView(msg.buffer);
  dv.setUint32(0, tag, true);
  dv.setUint32(4, seq, true);
  dv.setUint32(8, fnv1a32(msg, 12), true);
  return msg;
}

/** Checks length, checksum and every body byte; returns { tag, seq }. */
export function checkMessage(msg, maxBody, fixedSize) {
  if (msg.length < 12) throw new Error(`short message (${msg.length} bytes)`);
  const dv = new DataView(msg.buffer, msg.byteOffset, msg.byteLength);
  const tag = dv.getUint32(0, true), seq = dv.getUint32(4, true);
  const n = bodyLen(tag, seq, maxBody, fixedSize);
  if (msg.length !== 12 + n) throw new Error(`tag ${tag} seq ${seq}: length ${msg.length}, expected ${12 + n}`);
  if (dv.getUint32(8, true) !== fnv1a32(msg, 12)) throw new Error(`tag ${tag} seq ${seq}: checksum mismatch`);
  for (let i = 0; i < n; i++) {
    if (msg[12 + i] !== bodyByte(tag, seq, i)) throw new Error(`tag ${tag} seq ${seq}: byte ${i} differs`);
  }
  return { tag, seq };
}

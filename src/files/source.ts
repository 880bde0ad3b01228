import { readFileSync } from 'node:fs';

/** A Go file's text as the analysis sees it. */
export interface SourceText {
  text: string;
  hasBom: boolean;
  crlf: boolean;
}

export type DecodeResult = { ok: true; source: SourceText } | { ok: false; message: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes file bytes: strips a BOM, rejects what the Go compiler rejects (invalid UTF-8, NUL). */
export function decodeGoSource(bytes: Uint8Array): DecodeResult {
  const hasBom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const body = hasBom ? bytes.subarray(3) : bytes;
  const nul = body.indexOf(0);
  if (nul >= 0) {
    return { ok: false, message: `NUL byte at ${lineOfByte(body, nul)} (Go source may not contain NUL); file not analysed` };
  }
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return {
      ok: false,
      message: `invalid UTF-8 at ${lineOfByte(body, firstInvalidUtf8(body))} (Go source must be UTF-8); file not analysed`,
    };
  }
  return { ok: true, source: { text, hasBom, crlf: text.includes('\r\n') } };
}

/** Reads and decodes a file. Throws only on I/O errors. */
export function readGoSource(path: string): DecodeResult {
  return decodeGoSource(readFileSync(path));
}

function lineOfByte(bytes: Uint8Array, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return `line ${line}, byte ${offset - lineStart + 1}`;
}

function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    const need = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    for (let j = 1; j <= need; j++) {
      const cc = b[i + j];
      if (cc === undefined || (cc & 0xc0) !== 0x80) return i;
    }
    i += need + 1;
  }
  return b.length;
}

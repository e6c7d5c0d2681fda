// Loads the shared test vectors (the file every binding's tests read) at test time.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const VECTORS_PATH = fileURLToPath(new URL('../../testkit/vectors/vectors.json', import.meta.url))

export function loadVectors() {
  const vectors = JSON.parse(readFileSync(VECTORS_PATH, 'utf8'))
  return vectors.map((v) => ({ ...v, body: Buffer.from(v.body_b64, 'base64') }))
}

/** The body as a string too, when its bytes are valid UTF-8 (so the string round-trips). */
export function bodyAsString(body) {
  const text = body.toString('utf8')
  return Buffer.from(text, 'utf8').equals(body) ? text : undefined
}

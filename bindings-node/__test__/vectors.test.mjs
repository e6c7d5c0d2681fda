// Every shared vector through the native entry (Buffer, Uint8Array, ArrayBuffer and string bodies)
// and through the WebCrypto entry.
import { test } from 'node:test'
import assert from 'node:assert/strict'

import * as native from '../index.mjs'
import * as web from '../web.mjs'
import { loadVectors, bodyAsString } from './vectors.mjs'

const vectors = loadVectors()

test('the vector file is there and large', () => {
  assert.ok(vectors.length >= 17, `only ${vectors.length} vectors`)
  for (const code of native.ERROR_CODES) {
    assert.ok(vectors.some((v) => v.expect === code), `no vector expects ${code}`)
  }
})

function outcome(run) {
  try {
    const result = run()
    return { expect: 'ok', secretIndex: result.secretIndex }
  } catch (err) {
    if (!(err instanceof native.WebhookVerificationError)) throw err
    return { expect: err.code, message: err.message }
  }
}

async function outcomeAsync(run) {
  try {
    const result = await run()
    return { expect: 'ok', secretIndex: result.secretIndex }
  } catch (err) {
    if (!(err instanceof web.WebhookVerificationError)) throw err
    return { expect: err.code, message: err.message }
  }
}

function wanted(v) {
  // A rejection carries the core's exact words, pinned in the vectors.
  return v.expect === 'ok' ? { expect: 'ok', secretIndex: v.secret_index } : { expect: v.expect, message: v.message }
}

function check(v, verifier, body) {
  if (v.scheme === 'onboarding') return verifier.verifyOnboarding(body, v.header)
  assert.equal(v.scheme, 'business', `${v.name}: unknown scheme`)
  const result = verifier.verify(body, v.header, { now: v.now })
  assert.equal(result.timestamp, Number(/(?:^|,)[ \t]*t=([0-9]+)/.exec(v.header)[1]))
  return result
}

for (const v of vectors) {
  test(`native: ${v.name}`, () => {
    const bodies = [v.body, new Uint8Array(v.body), v.body.buffer.slice(v.body.byteOffset, v.body.byteOffset + v.body.length)]
    const text = bodyAsString(v.body)
    if (text !== undefined) bodies.push(text)
    for (const body of bodies) {
      const got = outcome(() => check(v, new native.Verifier(v.secrets, { tolerance: v.tolerance ?? 'disabled' }), body))
      assert.deepEqual(got, wanted(v), `${v.name} (body as ${typeof body === 'string' ? 'string' : body.constructor.name})`)
    }
  })

  test(`native incremental: ${v.name}`, () => {
    for (const size of [1, 5, 64]) {
      const got = outcome(() => {
        const verifier = new native.Verifier(v.secrets, { tolerance: v.tolerance ?? 'disabled' })
        const state = v.scheme === 'onboarding' ? verifier.startOnboarding(v.header) : verifier.start(v.header, { now: v.now })
        for (let i = 0; i < v.body.length; i += size) state.update(v.body.subarray(i, i + size))
        return state.finish()
      })
      assert.deepEqual(got, wanted(v), `${v.name} (chunks of ${size})`)
    }
  })

  test(`web: ${v.name}`, async () => {
    const got = await outcomeAsync(async () => {
      const verifier = new web.Verifier(v.secrets, { tolerance: v.tolerance ?? 'disabled' })
      if (v.scheme === 'onboarding') return verifier.verifyOnboardingAsync(new Uint8Array(v.body), v.header)
      return verifier.verifyAsync(new Uint8Array(v.body), v.header, { now: v.now })
    })
    assert.deepEqual(got, wanted(v), v.name)
  })

  test(`web incremental: ${v.name}`, async () => {
    const got = await outcomeAsync(async () => {
      const verifier = new web.Verifier(v.secrets, { tolerance: v.tolerance ?? 'disabled' })
      const state = v.scheme === 'onboarding' ? verifier.startOnboarding(v.header) : verifier.start(v.header, { now: v.now })
      for (let i = 0; i < v.body.length; i += 5) state.update(new Uint8Array(v.body.subarray(i, i + 5)))
      return state.finishAsync()
    })
    assert.deepEqual(got, wanted(v), v.name)
  })

  if (v.expect === 'ok') {
    test(`sign reproduces: ${v.name}`, async (t) => {
      const secret = v.secrets[v.secret_index]
      if (v.scheme === 'onboarding') {
        const header = native.sign(secret, v.body, { scheme: 'onboarding' })
        assert.equal(header, await web.signAsync(secret, v.body, { scheme: 'onboarding' }))
        assert.equal(new native.Verifier(secret).verifyOnboarding(v.body, header).secretIndex, 0)
      } else {
        const ts = Number(/(?:^|,)[ \t]*t=([0-9]+)/.exec(v.header)[1])
        if (!Number.isSafeInteger(ts)) {
          t.skip('t above 2^53 cannot be given as a JavaScript number')
          return
        }
        const header = native.sign(secret, v.body, { timestamp: ts })
        assert.equal(header, await web.signAsync(secret, v.body, { timestamp: ts }))
        assert.equal(new native.Verifier(secret).verify(v.body, header, { now: ts }).secretIndex, 0)
      }
    })
  }
}

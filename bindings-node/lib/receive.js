'use strict'
// What the Node.js framework integrations share (Express and NestJS in express.js, Fastify in
// fastify.js, Koa in koa.js): finding the raw body a framework left (or reading it), verifying and
// parsing it into an answer or an event, the idempotency step, and writing an answer to a
// node:http response. The vocabulary itself (statuses, codes, messages, the guard's answers) is
// http.mjs, shared with the Fetch integrations.

const http = require('../http.cjs')
const { describe, asBytes } = require('./args.js')
const { checkRequest } = require('./verifier.js')

/** Reads a node:http request's body, at most `limit` bytes (else a WebhookRequestError body_too_large). */
function readStream(req, limit) {
  return new Promise((resolve, reject) => {
    const declared = req.headers ? Number(req.headers['content-length']) : NaN
    if (Number.isFinite(declared) && declared > limit) {
      reject(http.tooLarge(limit))
      return
    }
    const chunks = []
    let size = 0
    req.on('data', (chunk) => {
      size += chunk.length
      if (size > limit) {
        // Stop reading; the caller answers 413, then closes the connection.
        req.removeAllListeners('data')
        req.pause()
        reject(http.tooLarge(limit))
        return
      }
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', (err) => reject(http.unreadable(err)))
  })
}

/** Whether nothing has read the request's body stream yet. */
function unread(req) {
  return req.readable && !req.readableEnded && !req.readableDidRead && req._body !== true
}

/**
 * The raw bytes to verify, from what the framework left: `body` when it is bytes (express.raw,
 * Fastify's buffer parser), else `rawBody` when it is bytes or a string (NestJS `rawBody: true`,
 * koa-bodyparser), else the body stream when nothing read it (no body parser ran, or one skipped
 * the request: Express 4's express.json() then leaves `req.body = {}`). A body already consumed
 * into anything else is a WebhookRequestError 'body_already_parsed'; too large, 'body_too_large'.
 */
async function rawBody(req, body, raw, limit, hint) {
  const bytes = asBytes(body)
  if (bytes !== undefined) {
    if ((typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.byteLength) > limit) throw http.tooLarge(limit)
    return bytes
  }
  const kept = asBytes(raw)
  if (kept !== undefined) return kept
  if (unread(req)) return readStream(req, limit)
  const what = body === undefined ? 'the body stream was already read' : `req.body is ${describe(body)}`
  throw new http.WebhookRequestError(
    'body_already_parsed',
    `${what}, not the raw bytes Qonto signed: a body parser such as express.json() ran first. ${hint}`,
  )
}

/**
 * Verifies `bytes` against `headers` and parses them: `{ webhook, event }` (webhook:
 * `{ scheme, secretIndex, timestamp }`), or `{ answer }` for a request that does not verify or a
 * body that is not JSON. Wrong argument types and other errors throw.
 */
function verifyBytes(verifier, headers, bytes) {
  const webhook = verifier[checkRequest](headers, bytes)
  if (webhook.code !== undefined) return { answer: http.failure(webhook.code, webhook.message) }
  try {
    return { webhook, event: http.parseEvent(bytes) }
  } catch (err) {
    return { answer: http.answerFor(err) }
  }
}

/**
 * The whole intake of a node:http request: the body (`rawBody`), its verification and, with a
 * guard, the claim. Resolves to `{ answer }` (refused, a duplicate, ...; `close` when the
 * connection must be closed after it: the rest of a too-large body is never read) or
 * `{ webhook, event, claim }` (claim undefined without a guard). Unknown errors reject.
 */
async function receive(config, req, body, raw, hint) {
  let bytes
  try {
    bytes = await rawBody(req, body, raw, config.limit, hint)
  } catch (err) {
    const answer = http.answerFor(err)
    if (answer === undefined) throw err
    return { answer, close: err.code === 'body_too_large' && !req.readableEnded }
  }
  const verified = verifyBytes(config.verifier, req.headers, bytes)
  if (verified.answer !== undefined || config.guard === undefined) return verified
  const step = await http.claimEvent(config.guard, verified.webhook.scheme, verified.event)
  if (step.answer !== undefined) return step
  return { ...verified, claim: step.claim }
}

/** Writes an answer to a node:http response. */
function writeAnswer(res, answer) {
  const text = JSON.stringify(answer.body)
  res.statusCode = answer.status
  for (const [name, value] of Object.entries(answer.headers || {})) res.setHeader(name, value)
  res.setHeader('Content-Type', 'application/json; charset=utf-8')
  res.setHeader('Content-Length', Buffer.byteLength(text))
  res.end(text)
}

/** After a too-large body: close the connection once the answer is sent (the rest is never read). */
function closeAfter(req, res) {
  res.setHeader('Connection', 'close')
  res.on('finish', () => req.destroy())
}

/**
 * Ends the claim with the response: completed when it finishes with a 2xx, released on any other
 * status, or when the connection closes before the response finished. Returns false, having
 * released the claim, when the connection is already gone (the handler must not run).
 */
function settleWith(res, guard, claim) {
  const settle = http.settler(guard, claim)
  if (res.destroyed || (res.socket && res.socket.destroyed)) {
    settle(false)
    return false
  }
  res.once('finish', () => settle(http.succeeded(res.statusCode)))
  res.once('close', () => settle(false))
  return true
}

module.exports = { readStream, receive, writeAnswer, closeAfter, settleWith }

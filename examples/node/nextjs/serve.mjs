// A stand-in for `next start`, so that the route handlers of app/ can be run and tested without
// Next.js (which this repository does not install). Not part of the example: a Next.js app has no
// such file. It serves this folder's app/ on 127.0.0.1 as Next's server would serve its route
// handlers: each app/<path>/route.<ext> (an extension of next.config.mjs's `pageExtensions`; static
// segments only, route groups `(name)` left out of the path, `_private` folders skipped) answers
// /<path>; the request becomes a WHATWG Request whose body streams from the socket as the route
// reads it (a bounded read-ahead, about 64 KiB: never the whole body), the route's exported
// function of that method is called with it, and the Response it returns is written back. No
// route: 404; no function for the method: 405 with `Allow`; a route that throws: 500.
//
//     QONTO_WEBHOOK_SECRET=whsec_... QONTO_ONBOARDING_SECRET=... PORT=3000 \
//       node --import ./examples/node/local-package.mjs examples/node/nextjs/serve.mjs
//
// (--import: 'qonto-webhooks' in the routes resolves to the repository's package.) The port is
// PORT, or the first argument (as examples/tour.py passes it), or 3000.
import { createServer } from 'node:http'
import { readdirSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']
// Next.js's default `pageExtensions`.
const DEFAULT_EXTENSIONS = ['tsx', 'ts', 'jsx', 'js']

/** URL path -> route file, for every route handler under `appDir` whose extension is in `extensions`. */
export function findRoutes(appDir, extensions) {
  const routes = new Map()
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('_')) walk(join(dir, entry.name))
        continue
      }
      const ext = extensions.find((e) => entry.name === `route.${e}`)
      if (ext === undefined) continue
      const segments = relative(appDir, dir).split(sep).filter((s) => s !== '' && !/^\(.*\)$/.test(s))
      if (segments.some((s) => s.includes('['))) throw new Error(`${join(dir, entry.name)}: dynamic segments are not served by this stand-in`)
      routes.set('/' + segments.join('/'), join(dir, entry.name))
    }
  }
  walk(appDir)
  return routes
}

/** The request's body as a WHATWG ReadableStream, read from the socket as the route reads it. */
function bodyOf(req) {
  let open = true
  return new ReadableStream(
    {
      start(controller) {
        req.on('data', (chunk) => {
          if (!open) return
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
          if (controller.desiredSize <= 0) req.pause()
        })
        req.once('end', () => {
          if (open) controller.close()
          open = false
        })
        req.once('error', (err) => {
          if (open) controller.error(err)
          open = false
        })
        req.once('close', () => {
          if (open && !req.complete) controller.error(new Error('the client closed the connection before the whole body was sent'))
          open = false
        })
        req.pause()
      },
      pull() {
        req.resume()
      },
      cancel() {
        // The route stopped reading (a body over its limit): the rest is never read, and the
        // connection is closed after the answer (below).
        open = false
        req.pause()
      },
    },
    { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength },
  )
}

function toRequest(req) {
  const headers = new Headers()
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1])
  const url = new URL(req.url, `http://${req.headers.host || '127.0.0.1'}`)
  const init = { method: req.method, headers }
  if (req.method !== 'GET' && req.method !== 'HEAD') Object.assign(init, { body: bodyOf(req), duplex: 'half' })
  return new Request(url, init)
}

async function writeResponse(req, res, response) {
  res.statusCode = response.status
  for (const [name, value] of response.headers) {
    if (name !== 'set-cookie') res.setHeader(name, value)
  }
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) res.setHeader('set-cookie', cookies)
  if (!req.complete) {
    // The route answered before the whole body came (or without reading it): close the connection
    // once the answer is sent rather than read the rest.
    res.setHeader('connection', 'close')
    res.once('finish', () => req.destroy())
  }
  if (response.body === null || req.method === 'HEAD') {
    res.end()
    return
  }
  await pipeline(Readable.fromWeb(response.body), res)
}

function answer(res, status, text, headers = {}) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers })
  res.end(text)
}

/**
 * The route modules of a Next.js app's folder `dir` (its app/ and next.config.mjs), imported once
 * as Next's server imports them: a Map of URL path -> module.
 */
export async function loadRoutes(dir = fileURLToPath(new URL('.', import.meta.url))) {
  const { default: config = {} } = await import(pathToFileURL(join(dir, 'next.config.mjs')).href)
  const modules = new Map()
  const routes = findRoutes(join(dir, 'app'), config.pageExtensions ?? DEFAULT_EXTENSIONS)
  for (const path of [...routes.keys()].sort()) {
    modules.set(path, await import(pathToFileURL(routes.get(path)).href))
  }
  return modules
}

/** A node:http server that answers each request with the route module of its path (loadRoutes). */
export function createNextServer(modules) {
  return createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname.replace(/(.)\/$/, '$1')
    const route = modules.get(path)
    if (route === undefined) return answer(res, 404, 'Not Found')
    const handler = route[req.method]
    if (typeof handler !== 'function') {
      const allow = METHODS.filter((m) => typeof route[m] === 'function').join(', ')
      return answer(res, 405, 'Method Not Allowed', { allow })
    }
    try {
      await writeResponse(req, res, await handler(toRequest(req), { params: Promise.resolve({}) }))
    } catch (err) {
      console.error(`${req.method} ${path}:`, err)
      if (!res.headersSent) answer(res, 500, 'Internal Server Error')
      else res.destroy(err)
    }
  })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT || process.argv[2] || 3000)
  const modules = await loadRoutes()
  createNextServer(modules).listen(port, '127.0.0.1', () => {
    console.log(`listening on http://127.0.0.1:${port}: ${[...modules.keys()].join(', ')}`)
  })
}

// next.config.mjs: load qonto-webhooks (and its native addon) with Node.js's require at run time
// instead of bundling it (a bundler cannot bundle a .node file).
const nextConfig = {
  serverExternalPackages: ['qonto-webhooks'],
}

export default nextConfig

// next.config.mjs: load qonto-webhooks (and its native addon) with Node.js's require at run time
// instead of bundling it (a bundler cannot bundle a .node file).
const nextConfig = {
  serverExternalPackages: ['qonto-webhooks'],
  // Only for this example, whose route files are ES modules named route.mjs: Next.js takes
  // route.js, .jsx, .ts and .tsx by default. An app with route.js (or .ts) leaves this out.
  pageExtensions: ['js', 'jsx', 'ts', 'tsx', 'mjs'],
}

export default nextConfig

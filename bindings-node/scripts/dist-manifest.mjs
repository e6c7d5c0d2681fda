// The manifests of the npm artifacts, for dist.sh:
//   main MANIFEST SOURCE PLATFORM_MANIFEST...  the main package: SOURCE (this folder's package.json)
//                                              without its development fields, plus one
//                                              optionalDependency per platform package, same version
//   platform MANIFEST SOURCE                   completes the package.json napi create-npm-dirs wrote
//   platform-readme MANIFEST SOURCE            prints the platform package's README
import { readFileSync, writeFileSync } from 'node:fs'

const [mode, manifest, source, ...platforms] = process.argv.slice(2)
const read = (p) => JSON.parse(readFileSync(p, 'utf8'))
const write = (p, json) => writeFileSync(p, JSON.stringify(json, null, 2) + '\n')
const SHARED = ['license', 'repository', 'homepage', 'bugs', 'engines', 'keywords']

if (mode === 'main') {
  const pkg = read(source)
  for (const field of ['scripts', 'devDependencies', 'overrides']) delete pkg[field]
  pkg.optionalDependencies = {}
  for (const p of platforms) {
    const platform = read(p)
    if (platform.version !== pkg.version) throw new Error(`${platform.name} is ${platform.version}, not ${pkg.version}`)
    pkg.optionalDependencies[platform.name] = platform.version
  }
  write(manifest, pkg)
} else if (mode === 'platform') {
  const main = read(source)
  const pkg = read(manifest)
  const where = [pkg.os, pkg.cpu, pkg.libc].filter(Boolean).map((x) => x.join('/')).join(', ')
  pkg.description = `The native addon of ${main.name} for ${where}: installed by ${main.name} as an optional dependency, not used alone`
  for (const field of SHARED) pkg[field] = main[field]
  pkg.files = [...pkg.files, 'LICENSE-MIT', 'LICENSE-APACHE']
  if (pkg.version !== main.version) throw new Error(`${pkg.name} is ${pkg.version}, not ${main.version}`)
  write(manifest, pkg)
} else if (mode === 'platform-readme') {
  const pkg = read(manifest)
  const main = read(source).name
  console.log(`# ${pkg.name}

${pkg.description}. Install \`${main}\` instead: npm picks this package on the platforms its
\`os\`, \`cpu\` and \`libc\` fields name, and \`${main}\` uses its pure-JS implementation elsewhere.
See ${pkg.homepage}.

License: ${pkg.license} (LICENSE-MIT, LICENSE-APACHE).`)
} else {
  throw new Error(`unknown mode ${mode}`)
}

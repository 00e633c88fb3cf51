// The "@oomol-cloud-task/source" export condition points the workspace's tests
// and bundler at src/*.ts. It means nothing outside the workspace, so every
// packed (and published) manifest is written without it.
const withoutSource = (value) => {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== "@oomol-cloud-task/source")
      .map(([key, inner]) => [key, withoutSource(inner)])
  )
}

export const hooks = {
  beforePacking(manifest) {
    return manifest.exports === undefined ? manifest : { ...manifest, exports: withoutSource(manifest.exports) }
  }
}

/**
 * @nx/devkit, loaded when the plugin first runs inside Nx rather than when the package is
 * imported: `@nx/devkit` and `nx` are optional peer dependencies (the workspace's own), so
 * `require('suppack')` works for library users who installed no Nx.
 */
export function devkit(): typeof import('@nx/devkit') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@nx/devkit') as typeof import('@nx/devkit');
}

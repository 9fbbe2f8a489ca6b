// Writes a package-lock.json for a copy of examples/standalone-app from the workspace's own lockfile, so
// `npm ci --offline` installs exactly the versions the workspace runs, from the local npm cache (filled
// by the workspace's `npm ci`), with no registry lookup. The packed @a4c/ha tarball takes the place of the
// workspace link.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [field: string]: unknown;
}

interface Manifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  engines?: Record<string, string>;
}

export interface PackedLibrary {
  /** The library's manifest (libs/ha/package.json). */
  manifest: Manifest;
  /** Where the library lives in the workspace lockfile (`libs/ha`). */
  workspacePath: string;
  /** The tarball, as the example's package.json names it (`file:<name>.tgz`), and its bytes' path. */
  spec: string;
  tarballFile: string;
}

/** npm's Subresource Integrity string of a file. */
export function integrityOf(file: string): string {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
}

/** Node's lookup from one lockfile location: `<from>/node_modules/<name>`, then each parent's. */
function resolveFrom(packages: Record<string, LockEntry>, name: string, from: string): string | undefined {
  let base = from;
  for (;;) {
    const key = base ? `${base}/node_modules/${name}` : `node_modules/${name}`;
    if (packages[key]) return key;
    if (!base) return undefined;
    const parent = base.lastIndexOf('/node_modules/');
    base = parent < 0 ? '' : base.slice(0, parent);
  }
}

/** A package's peer dependencies less the optional ones. */
function requiredPeersOf(entry: { peerDependencies?: Record<string, string>; peerDependenciesMeta?: Record<string, { optional?: boolean }> }): Record<string, string> {
  return Object.fromEntries(Object.entries(entry.peerDependencies ?? {}).filter(([peer]) => !entry.peerDependenciesMeta?.[peer]?.optional));
}

/** The lockfile for `example` (its manifest) whose dependency on the library is the packed tarball. */
export function exampleLockfile(workspaceLock: { packages: Record<string, LockEntry> }, example: Manifest, library: PackedLibrary): object {
  const source = workspaceLock.packages;
  const libraryKey = `node_modules/${library.manifest.name}`;
  const out: Record<string, LockEntry> = {
    '': { name: example.name, version: example.version, dependencies: example.dependencies, devDependencies: example.devDependencies, engines: example.engines },
    [libraryKey]: {
      version: library.manifest.version,
      resolved: library.spec,
      integrity: integrityOf(library.tarballFile),
      dependencies: library.manifest.dependencies,
      peerDependencies: library.manifest.peerDependencies,
      peerDependenciesMeta: library.manifest.peerDependenciesMeta,
      engines: library.manifest.engines,
    },
  };
  // an optional peer of the library (the Elasticsearch client) is installed only if the example asks for it
  const libraryPeers = requiredPeersOf(library.manifest);
  // the library's own dependencies were resolved from its workspace folder; in the example it sits in node_modules
  const relocate = (key: string) => (key.startsWith(`${library.workspacePath}/`) ? `${libraryKey}/${key.slice(library.workspacePath.length + 1)}` : key);
  const queue: Array<{ from: string; deps: Record<string, string>; optional: Set<string> }> = [
    { from: '', deps: { ...example.dependencies, ...example.devDependencies }, optional: new Set() },
    { from: library.workspacePath, deps: { ...library.manifest.dependencies, ...libraryPeers }, optional: new Set() },
  ];
  while (queue.length > 0) {
    const { from, deps, optional } = queue.shift()!;
    for (const name of Object.keys(deps)) {
      if (name === library.manifest.name) continue;
      const key = resolveFrom(source, name, from);
      if (!key) {
        if (optional.has(name)) continue;
        throw new Error(`the workspace lockfile has no ${name} (needed from ${from || 'the example'})`);
      }
      const target = relocate(key);
      if (out[target]) continue;
      const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = source[key];
      if (entry.link) throw new Error(`${name} is a workspace link in the lockfile: only the library may be`);
      out[target] = entry;
      queue.push({
        from: key,
        deps: { ...entry.dependencies, ...entry.optionalDependencies, ...requiredPeersOf(entry) },
        optional: new Set(Object.keys(entry.optionalDependencies ?? {})),
      });
    }
  }
  return { name: example.name, version: example.version, lockfileVersion: 3, requires: true, packages: out };
}

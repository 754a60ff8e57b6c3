import { readFileSync } from 'node:fs';

interface PackageJson {
  name: string;
  version: string;
}

// Read at run time rather than imported, so src/ and dist/ (one level below the package root alike) find it.
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as PackageJson;

/** The version of this rr build (the @rr/cli package version). */
export const RR_VERSION: string = pkg.version;

#!/usr/bin/env node
// Every installed package must accept every Node version the project declares it runs on
// (package.json `engines.node`): otherwise `npm ci` prints EBADENGINE, and the package may
// use what those versions lack. Reads package-lock.json, so it needs no install and fails
// the moment an upgrade lands in the lockfile. Run by `npm run lint` (and so by CI).
import { readFileSync } from 'node:fs';
import semver from 'semver';

const project = JSON.parse(readFileSync('package.json', 'utf8'));
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const declared = project.engines?.node;
if (!declared) {
  console.error('package.json declares no engines.node');
  process.exit(1);
}

const refused = [];
for (const [where, pkg] of Object.entries(lock.packages ?? {})) {
  const wanted = pkg.engines?.node;
  if (!where || !wanted || pkg.optional) continue;
  if (!semver.validRange(wanted) || !semver.subset(declared, wanted, { includePrerelease: false }))
    refused.push(`${where.replace(/^.*node_modules\//, '')}@${pkg.version} wants node ${wanted}`);
}
if (refused.length) {
  console.error(`these packages do not accept every Node the project declares (${declared}):`);
  for (const line of refused) console.error(`  ${line}`);
  process.exit(1);
}
console.log(`every package accepts node ${declared}`);

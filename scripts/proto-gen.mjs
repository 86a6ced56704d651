// Generates TypeScript types for the gRPC contracts in proto/ into src/generated/proto
// (checked in, so a reader sees them and the build needs no generator). With --check it
// generates into a temporary directory and fails when the checked-in files differ.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const target = path.join(root, 'src/generated/proto');
const contracts = [
  'mamlaka/users/v1/users.proto',
  'mamlaka/catalog/v1/catalog.proto',
  'mamlaka/payments/v1/payments.proto',
];

function generate(outDir) {
  rmSync(outDir, { recursive: true, force: true });
  execFileSync(
    path.join(root, 'node_modules/.bin/proto-loader-gen-types'),
    [
      // The contracts first: includeDirs is an array option and would swallow them.
      ...contracts,
      '--keepCase',
      '--longs=String',
      '--enums=String',
      '--arrays',
      '--includeComments',
      '--grpcLib=@grpc/grpc-js',
      '--importFileExtension=.js',
      `--outDir=${outDir}`,
      `--includeDirs=${path.join(root, 'proto')}`,
    ],
    { stdio: 'inherit' },
  );
  // The generator writes each source's absolute path; the checked-in files must not depend
  // on where the repository was cloned.
  for (const file of files(outDir)) {
    const full = path.join(outDir, file);
    writeFileSync(full, readFileSync(full, 'utf8').replaceAll(`${root}/`, ''));
  }
  // Prettier, so the checked-in files pass the project's formatting check.
  execFileSync(
    path.join(root, 'node_modules/.bin/prettier'),
    ['--write', '--log-level=warn', '--config', path.join(root, '.prettierrc.json'), outDir],
    {
      stdio: 'inherit',
    },
  );
}

function files(dir, prefix = '') {
  return readdirSync(dir).flatMap((name) =>
    statSync(path.join(dir, name)).isDirectory()
      ? files(path.join(dir, name), `${prefix}${name}/`)
      : [`${prefix}${name}`],
  );
}

if (process.argv.includes('--check')) {
  const scratch = mkdtempSync(path.join(tmpdir(), 'mamlaka-proto-'));
  const fresh = path.join(scratch, 'proto');
  try {
    generate(fresh);
    const expected = files(fresh).sort();
    const actual = files(target).sort();
    const differing = [...new Set([...expected, ...actual])].filter(
      (file) =>
        !expected.includes(file) ||
        !actual.includes(file) ||
        readFileSync(path.join(fresh, file), 'utf8') !== readFileSync(path.join(target, file), 'utf8'),
    );
    if (differing.length > 0) {
      console.error(`src/generated/proto is out of date (${differing.join(', ')}): run npm run proto:gen`);
      process.exit(1);
    }
    console.log(`src/generated/proto matches proto/ (${expected.length} files)`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
} else {
  generate(target);
  console.log(`wrote ${files(target).length} files to src/generated/proto`);
}

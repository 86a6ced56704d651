import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { dataDirFromEnvironment } from '../config.js';

const FILES = ['ca.crt', 'ca.key', 'server.crt', 'server.key', 'client.crt', 'client.key'];

/** --host: a DNS name or an IP address the server certificate must also be valid for. */
const hostArg = (value: string, previous: string[] = []): string[] => {
  if (!/^[A-Za-z0-9.:-]{1,253}$/.test(value)) throw new InvalidArgumentError('a host name or an IP address');
  return [...previous, value];
};

/**
 * `mamlaka certs dev`: a local CA and certificates it signed, for trying HTTPS, HTTP/2, gRPC
 * over TLS and the split shape's mutual TLS on one machine. Prints the variables to set.
 */
export function registerCertsCommand(program: Command): void {
  program
    .command('certs')
    .description('certificates for TLS')
    .command('dev')
    .description(
      'create a local CA, a server certificate for localhost and a client certificate (not for production)',
    )
    .option('--dir <dir>', 'where to write them (default: DATA_DIR/certs)')
    .option('--host <host>', 'another name or address for the server certificate (repeatable)', hostArg)
    .option('--force', 'replace certificates already in the directory')
    .action(async (options: { dir?: string; host?: string[]; force?: boolean }) => {
      const dir = path.resolve(options.dir ?? path.join(dataDirFromEnvironment(), 'certs'));
      const existing = FILES.filter((file) => existsSync(path.join(dir, file)));
      if (existing.length > 0 && !options.force) {
        throw new InvalidArgumentError(
          `${dir} already holds ${existing.join(', ')}; give --force to replace them (clients trusting the old CA must then trust the new one)`,
        );
      }
      // Loaded here: node-forge is 0.9 MB of code that no other command needs.
      const { createDevCertificates, DEV_HOSTS } = await import('../platform/tls/dev-certificates.js');
      const certs = createDevCertificates([...DEV_HOSTS, ...(options.host ?? [])]);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const write = (file: string, text: string, mode: number) =>
        writeFileSync(path.join(dir, file), text, { mode });
      write('ca.crt', certs.ca.cert, 0o644);
      write('ca.key', certs.ca.key, 0o600);
      write('server.crt', certs.server.cert, 0o644);
      write('server.key', certs.server.key, 0o600);
      write('client.crt', certs.client.cert, 0o644);
      write('client.key', certs.client.key, 0o600);
      const at = (file: string) => path.join(dir, file);
      console.log(`a local CA and certificates written to ${dir}; to serve HTTPS, HTTP/2 and gRPC over TLS:`);
      console.log(`  TLS_CERT_FILE=${at('server.crt')}`);
      console.log(`  TLS_KEY_FILE=${at('server.key')}`);
      console.log('mutual TLS between the split gateway and the services (on every process):');
      console.log(`  GRPC_TLS_CA_FILE=${at('ca.crt')}`);
      console.log(
        `  (gateway only, optional) GRPC_TLS_CERT_FILE=${at('client.crt')} GRPC_TLS_KEY_FILE=${at('client.key')}`,
      );
      console.log(`try it: curl --cacert ${at('ca.crt')} https://localhost:8080/health`);
    });
}

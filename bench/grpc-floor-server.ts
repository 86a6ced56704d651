// A gRPC server with nothing behind it, for bench/grpc-floor.ts: one unary method answering
// a fixed message the size of the baseline's JSON. `grpc-js` is the library the services
// use; `http2` is Node's own HTTP/2 server speaking the unary wire format by hand (headers,
// one length-prefixed message, `grpc-status` trailer), the least any gRPC server on Node does.
import http2 from 'node:http2';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as grpc from '@grpc/grpc-js';

export const FLOOR_METHOD = '/mamlaka.bench.v1.Floor/Get';
/** As long as the baseline's `{"hello":"world"}`. */
export const FLOOR_ANSWER = Buffer.from('0a0568656c6c6f1205776f726c64', 'hex');

const framed = (message: Buffer) => {
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt32BE(message.length, 1);
  message.copy(frame, 5);
  return frame;
};

async function grpcJs(port: number): Promise<void> {
  const server = new grpc.Server({ 'grpc.enable_channelz': 0 });
  const passThrough = (bytes: Buffer) => bytes;
  const definition: grpc.ServiceDefinition = {
    Get: {
      path: FLOOR_METHOD,
      requestStream: false,
      responseStream: false,
      requestSerialize: passThrough,
      requestDeserialize: passThrough,
      responseSerialize: passThrough,
      responseDeserialize: passThrough,
    },
  };
  server.addService(definition, {
    Get: (_call: unknown, callback: grpc.sendUnaryData<Buffer>) => callback(null, FLOOR_ANSWER),
  });
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error) =>
      error ? reject(error) : resolve(),
    ),
  );
}

async function bareHttp2(port: number): Promise<void> {
  const answer = framed(FLOOR_ANSWER);
  const server = http2.createServer();
  server.on('stream', (stream) => {
    stream.on('data', () => {});
    stream.on('end', () => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
}

// Started as a program (by grpc-floor.ts); imported, it only lends its constants.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const port = Number(process.env.PORT);
  await (process.argv[2] === 'grpc-js' ? grpcJs(port) : bareHttp2(port));
  console.log('ready');
  process.once('SIGTERM', () => process.exit(0));
}

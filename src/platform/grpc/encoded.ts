import type * as grpc from '@grpc/grpc-js';

/**
 * A response message encoded ahead of time (a cached read), standing in for the message
 * it encodes. A handler may return one wherever it would return `T`; the server sends its
 * bytes as they are (`passingEncoded`), as REST sends a rendered body.
 */
export type Encoded<T> = Buffer & { readonly encodes?: T };

/** `message` encoded as `method` answers it, to keep and send many times. */
export function encodeResponse<T>(method: { responseSerialize: grpc.serialize<T> }, message: T): Encoded<T> {
  const bytes = method.responseSerialize(message);
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
}

/** The handler's view: an Encoded<T> is answered as the T it encodes. */
export const asMessage = <T>(encoded: Encoded<T>): T => encoded as unknown as T;

/**
 * The service's methods with responses that are already bytes passed through unencoded;
 * every other response is encoded as before. No response message is a Buffer, so the two
 * cannot be confused.
 */
export function passingEncoded(definition: grpc.ServiceDefinition): grpc.ServiceDefinition {
  const methods = Object.entries(definition).map(([name, method]) => {
    const serialize = method.responseSerialize;
    const passing = (value: unknown) => (Buffer.isBuffer(value) ? value : serialize(value));
    return [name, { ...method, responseSerialize: passing }];
  });
  return Object.fromEntries(methods) as grpc.ServiceDefinition;
}

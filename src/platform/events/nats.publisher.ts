import {
  createInbox,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  type Subscription,
} from '@nats-io/transport-node';

export interface StreamMessage {
  subject: string;
  data: Uint8Array;
  headers: MsgHdrs;
}

interface Batch {
  left: number;
  done: (error?: Error) => void;
}

/**
 * Publishes to JetStream with every acknowledgement of a batch in flight at once, collected
 * on one inbox subscription. `js.publish` makes each message a request of its own (a timer,
 * a promise and a parsed reply each): with a batch of 1,000 in flight that bookkeeping cost
 * as much as the server's storing, and the relay's throughput was its throughput.
 *
 * A batch resolves once JetStream has stored (or recognised as a duplicate) every message;
 * it rejects on the first refusal, on no stream for a subject, or after `timeoutMs`. What
 * was stored of a failed batch stays stored: the caller publishes the batch again and the
 * msgIDs make the stored ones duplicates.
 */
export class JetStreamPublisher {
  private readonly prefix = createInbox();
  private readonly waiting = new Map<number, Batch>();
  private readonly subscription: Subscription;
  private next = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs: number,
  ) {
    this.subscription = nc.subscribe(`${this.prefix}.*`, {
      callback: (error, message) => {
        if (!error) this.acknowledged(message);
      },
    });
  }

  publish(messages: readonly StreamMessage[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    const token = this.next++;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => batch.done(new Error(`JetStream did not acknowledge ${batch.left} messages in time`)),
        this.timeoutMs,
      );
      const batch: Batch = {
        left: messages.length,
        done: (error) => {
          clearTimeout(timer);
          this.waiting.delete(token);
          if (error) reject(error);
          else resolve();
        },
      };
      this.waiting.set(token, batch);
      try {
        // One connection sends them in this order, so the stream stores them in this order.
        for (const { subject, data, headers } of messages)
          this.nc.publish(subject, data, { reply: `${this.prefix}.${token}`, headers });
      } catch (error) {
        batch.done(error as Error);
      }
    });
  }

  close(): void {
    this.subscription.unsubscribe();
    for (const batch of [...this.waiting.values()]) batch.done(new Error('the publisher is closed'));
  }

  private acknowledged(message: Msg): void {
    const token = Number(message.subject.slice(this.prefix.length + 1));
    const batch = this.waiting.get(token);
    if (!batch) return;
    // A status without a body: 503 when no stream takes the subject.
    if (message.headers?.hasError) {
      batch.done(
        new Error(`JetStream refused a message: ${message.headers.code} ${message.headers.description}`),
      );
      return;
    }
    let ack: { error?: { code?: number; description?: string } };
    try {
      ack = message.json();
    } catch (error) {
      batch.done(
        new Error('JetStream answered with something that is not an acknowledgement', { cause: error }),
      );
      return;
    }
    if (ack.error) {
      batch.done(new Error(`JetStream refused a message: ${ack.error.code} ${ack.error.description}`));
      return;
    }
    batch.left -= 1;
    if (batch.left === 0) batch.done();
  }
}

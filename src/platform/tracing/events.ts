import type { DomainEvent } from '../events/event.js';
import type { EventBus } from '../events/event-bus.js';
import { contextFrom, inSpan, linkTo, SpanKind, tracingOn } from './tracing.js';

/**
 * Runs a batch handler's work for one of its events in a consumer span of that event's own
 * trace (the request that wrote it), as a handler subscribed per event runs: what the event
 * causes (a webhook delivery, and the trace it carries) stays in that request's trace
 * though the batch shares one transaction. Just `work` when tracing is off.
 */
export function inEventTrace<T>(consumer: string, event: DomainEvent, work: () => Promise<T>): Promise<T> {
  if (!tracingOn) return work();
  return inSpan(
    `${consumer} handle`,
    {
      kind: SpanKind.CONSUMER,
      parent: contextFrom(event.traceparent),
      attributes: {
        'messaging.consumer.group.name': consumer,
        'messaging.message.id': event.id,
        'mamlaka.event.type': event.type,
      },
    },
    work,
  );
}

/**
 * The bus with a consumer span around each handling, a child of the request that wrote the
 * event (its stored traceparent): what an event causes belongs to that request's trace. The bus itself is returned untouched when tracing is off.
 */
export function tracedBus(bus: EventBus): EventBus {
  if (!tracingOn) return bus;
  return {
    kind: bus.kind,
    publish: (events) => bus.publish(events),
    close: () => bus.close(),
    subscribe: (consumer, handler, options) =>
      bus.subscribe(consumer, (event) => inEventTrace(consumer, event, () => handler(event)), options),
    // A batch has many writers: its span links to each of their traces instead of joining one.
    subscribeBatch: (consumer, handler, options) =>
      bus.subscribeBatch(
        consumer,
        (events) =>
          inSpan(
            `${consumer} handle batch`,
            {
              kind: SpanKind.CONSUMER,
              links: events.flatMap((event) => linkTo(event.traceparent)),
              attributes: {
                'messaging.consumer.group.name': consumer,
                'messaging.batch.message_count': events.length,
              },
            },
            () => handler(events),
          ),
        options,
      ),
  };
}

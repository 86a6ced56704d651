-- The W3C traceparent of the request that wrote an event (when tracing was on), so the
-- relay's and consumers' spans can link back to it.
ALTER TABLE outbox_events ADD COLUMN trace_context text CHECK (length(trace_context) <= 512);

-- A webhook delivery is sent later by a worker: it keeps the traceparent of the handling
-- that created it, so the outgoing request continues the same trace.
ALTER TABLE webhook_deliveries ADD COLUMN trace_context text CHECK (length(trace_context) <= 512);

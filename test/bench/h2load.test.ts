import { describe, expect, it } from 'vitest';
import { parseH2loadOutput } from '../../bench/h2load.js';

// The end of what h2load (nghttp2 1.52) printed for 8 s of GetUserByID at 20 streams.
const OUTPUT = `finished in 8.00s, 8685.00 req/s, 1.75MB/s
requests: 69480 total, 69480 started, 69480 done, 69480 succeeded, 0 failed, 0 errored, 0 timeout
status codes: 69480 2xx, 0 3xx, 0 4xx, 0 5xx
traffic: 13.99MB (14669400) total, 371.31KB (380223) headers (space savings 96.40%), 11.93MB (12506400) data
                     min         max         mean         sd        +/- sd
time for request:     1.54ms     49.68ms      2.15ms      1.79ms    94.28%
`;

describe('parseH2loadOutput', () => {
  it('reads the calls, the failures, the bytes of response data and the duration', () => {
    expect(parseH2loadOutput(OUTPUT)).toEqual({
      succeeded: 69480,
      failed: 0,
      dataBytes: 12506400,
      seconds: 8,
    });
  });

  it('counts failed and errored requests as failures', () => {
    const failing = OUTPUT.replace(
      '69480 succeeded, 0 failed, 0 errored',
      '69400 succeeded, 60 failed, 20 errored',
    );
    expect(parseH2loadOutput(failing).failed).toBe(80);
  });

  it('refuses output without a result rather than reading zeros', () => {
    expect(() => parseH2loadOutput('connect: Connection refused\n')).toThrow(/h2load printed no result/);
  });
});

import type { Redis } from 'ioredis';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import type { Config } from '../../config.js';
import { rateLimited } from '../errors.js';
import { rateLimitRefusalsTotal } from '../metrics/metrics.registry.js';

export type LimitName =
  | 'loginPerIp'
  | 'loginFailures'
  | 'loginFailuresPerAccount'
  | 'registerPerIp'
  | 'perUser'
  | 'midtransPerIp'
  | 'recoveryPerAccount';

/** The budgets an edge spends per client address before it even reads the request. */
export type AddressLimit = Extract<LimitName, 'loginPerIp' | 'registerPerIp' | 'midtransPerIp'>;

/**
 * A client address as every per-address key holds it: an IPv4-mapped IPv6 address
 * (`::ffff:10.0.0.1`, what a dual-stack listener reports) as plain IPv4, so the REST and
 * gRPC listeners, whichever families they bind, count one client under one key.
 */
export const addressKey = (ip: string): string =>
  ip.toLowerCase().replace(/^::ffff:(?=\d{1,3}(\.\d{1,3}){3}$)/, '');

export interface LimitState {
  limit: number;
  remaining: number;
  resetSeconds: number;
  windowSeconds: number;
}

/**
 * The rate limits of both public edges, REST and gRPC (rate-limiter-flexible): one instance
 * per process, the same keys from either edge, so a client has one budget however it calls.
 * In memory for one process; in Redis when REDIS_URL is set, so every instance counts
 * against the same budget. Should Redis become unreachable the limits fall back to
 * per-process memory rather than failing every request.
 */
export class RateLimits {
  private readonly limiters: Record<LimitName, RateLimiterAbstract>;

  constructor(settings: Config['rateLimits'], redis?: Redis) {
    const make = (keyPrefix: string, points: number, windowMs: number): RateLimiterAbstract => {
      const duration = Math.max(1, Math.ceil(windowMs / 1000));
      const memory = new RateLimiterMemory({ keyPrefix, points, duration });
      if (!redis) return memory;
      return new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${settings.redisPrefix}:${keyPrefix}`,
        points,
        duration,
        insuranceLimiter: memory,
      });
    };
    this.limiters = {
      loginPerIp: make('login-ip', settings.loginPerIp, settings.loginWindowMs),
      loginFailures: make('login-fail', settings.loginFailuresPerAddress, settings.loginWindowMs),
      loginFailuresPerAccount: make(
        'login-fail-account',
        settings.loginFailuresPerAccount,
        settings.loginAccountWindowMs,
      ),
      registerPerIp: make('register-ip', settings.registerPerIp, settings.registerWindowMs),
      perUser: make('user', settings.requestsPerUser, settings.requestsWindowMs),
      midtransPerIp: make('midtrans-ip', settings.midtransPerIp, settings.midtransWindowMs),
      // Reset and verification mails per address (or account): bounds the mail one can trigger.
      recoveryPerAccount: make('recovery', settings.recoveryPerAccount, settings.recoveryWindowMs),
    };
  }

  private state(name: LimitName, res: RateLimiterRes): LimitState {
    const limiter = this.limiters[name];
    return {
      limit: limiter.points,
      remaining: Math.max(0, res.remainingPoints),
      resetSeconds: Math.ceil(res.msBeforeNext / 1000),
      windowSeconds: limiter.duration,
    };
  }

  /** Counts one request. @throws AppError `rate_limited` (429) once the budget is spent. */
  async consume(name: LimitName, key: string): Promise<LimitState> {
    try {
      return this.state(name, await this.limiters[name].consume(key));
    } catch (error) {
      if (error instanceof RateLimiterRes) {
        rateLimitRefusalsTotal.inc({ limit: name });
        throw rateLimited(error.msBeforeNext);
      }
      throw error;
    }
  }

  /** Counts one call against a client address's budget. @throws `rate_limited` once it is spent. */
  spendAddress(name: AddressLimit, ip: string): Promise<LimitState> {
    return this.consume(name, addressKey(ip));
  }

  /** Counts one authenticated call against its user's budget. @throws `rate_limited` once it is spent. */
  spendUser(userId: string): Promise<LimitState> {
    return this.consume('perUser', userId);
  }

  /** Gives back one point counted by `consume`, for a call that turned out not to count. */
  async reward(name: LimitName, key: string): Promise<void> {
    await this.limiters[name].reward(key, 1);
  }

  async reset(name: LimitName, key: string): Promise<void> {
    await this.limiters[name].delete(key);
  }
}

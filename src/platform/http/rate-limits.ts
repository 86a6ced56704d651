import type { Redis } from 'ioredis';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import type { Config } from '../../config.js';
import { rateLimited } from '../errors.js';

export type LimitName = 'loginPerIp' | 'loginFailures' | 'registerPerIp' | 'perUser';

export interface LimitState {
  limit: number;
  remaining: number;
  resetSeconds: number;
  windowSeconds: number;
}

/**
 * The gateway's rate limits (rate-limiter-flexible). In memory for one process; in Redis
 * when REDIS_URL is set, so every instance counts against the same budget. Should Redis
 * become unreachable the limits fall back to per-process memory rather than failing
 * every request.
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
      loginFailures: make('login-fail', settings.loginFailuresPerAccount, settings.loginWindowMs),
      registerPerIp: make('register-ip', settings.registerPerIp, settings.registerWindowMs),
      perUser: make('user', settings.requestsPerUser, settings.requestsWindowMs),
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
      if (error instanceof RateLimiterRes) throw rateLimited(error.msBeforeNext);
      throw error;
    }
  }

  /** Refuses when the budget is already spent, without counting this call. */
  async ensureAvailable(name: LimitName, key: string): Promise<void> {
    const res = await this.limiters[name].get(key);
    if (res && res.remainingPoints <= 0) throw rateLimited(res.msBeforeNext);
  }

  /** Counts one failure without throwing (the caller has its own error to report). */
  async penalize(name: LimitName, key: string): Promise<void> {
    await this.limiters[name].penalty(key, 1);
  }

  async reset(name: LimitName, key: string): Promise<void> {
    await this.limiters[name].delete(key);
  }
}

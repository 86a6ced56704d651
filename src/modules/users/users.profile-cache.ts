import { authorize, type Actor } from '../../platform/auth/policy.js';
import type { InvalidationBus } from '../../platform/cache/invalidation-bus.js';
import { ReadCache } from '../../platform/cache/read-cache.js';
import type { UsersApi } from './users.api.js';
import type { PublicUser } from './users.rules.js';

/** The bus topic every instance's profile cache listens on; the key is the user id. */
export const PROFILE_TOPIC = 'users.profile';

/** Profiles kept per process: far more than the users active at once, few enough to hold in memory. */
const MAX_PROFILES = 20_000;

/**
 * Told after each committed change of a user (profile, e-mail, password, status, erasure,
 * verification), so that every instance drops the profile it may hold. Called after the
 * commit: a read racing the write then either loads the new row or, having started before
 * the drop, is not kept (ReadCache).
 */
export interface ProfileChanges {
  changed(userId: string): Promise<void>;
}

/**
 * Profiles as the API shows them, read through a cache that every instance empties of a
 * user on each change of that user: in process by default, through Redis pub/sub when the
 * platform has Redis (the bus the catalog's caches use). The TTL only bounds how long a
 * lost invalidation message could leave a profile stale.
 */
export class ProfileCache implements ProfileChanges {
  private readonly cache: ReadCache<PublicUser> | undefined;

  constructor(
    private readonly bus: InvalidationBus,
    ttlMs: number,
  ) {
    // A zero TTL (a split process that hears no other process's writes) keeps nothing.
    this.cache =
      ttlMs > 0
        ? new ReadCache<PublicUser>(PROFILE_TOPIC, bus, { maxEntries: MAX_PROFILES, ttlMs })
        : undefined;
  }

  get enabled(): boolean {
    return this.cache !== undefined;
  }

  /**
   * The profile of `userId`, cached or from `load` (undefined: no such user, not cached).
   * Values are frozen: one object answers many requests, so none may change it.
   */
  get(userId: string, load: () => Promise<PublicUser | undefined>): Promise<PublicUser | undefined> {
    if (!this.cache) return load();
    const hit = this.cache.peek(userId);
    if (hit) return Promise.resolve(hit);
    return this.cache.getOrLoad(userId, async () => {
      const user = await load();
      return user && frozen(user);
    });
  }

  changed(userId: string): Promise<void> {
    // Published even when this process keeps no profiles: other instances may.
    return this.bus.publish(PROFILE_TOPIC, userId);
  }
}

function frozen(user: PublicUser): PublicUser {
  if (user.shipping_address) Object.freeze(user.shipping_address);
  return Object.freeze(user);
}

/**
 * The split gateway's users API with profile reads kept locally, as the gateway keeps
 * products: the same authorization as the service (your own profile, anyone's for an
 * admin) is checked here before a cached profile is given out. A miss asks the service to
 * read past its own cache: a profile the service still held when this gateway had already
 * heard of a change would otherwise be kept here after the service dropped it. Only where
 * invalidations reach the gateway (a shared bus).
 */
export function withCachedProfiles(remote: UsersApi, profiles: ProfileCache): UsersApi {
  if (!profiles.enabled) return remote;
  return {
    register: remote.register.bind(remote),
    updateOwnProfile: async (actor, input, clientIp) => {
      const user = await remote.updateOwnProfile(actor, input, clientIp);
      // The service told every instance too, but through Redis: this caller's next read
      // here must already see the change.
      await profiles.changed(user.id);
      return user;
    },
    retrieve: async (actor: Actor | undefined, id: string) => {
      authorize(actor, { object: { kind: 'user', ownerIds: [id] } });
      const user = await profiles.get(id, () => remote.retrieve(actor, id, { fresh: true }));
      // get() gives undefined only when load does, and remote.retrieve throws instead.
      return user!;
    },
  };
}

/** What a test server checks before it answers: `arrived` to say it holds, `released` to wait on. */
export interface HeldAnswers {
  arrived(): void;
  released: Promise<void>;
}

/** What a test gets back from `hold()`: when a request is held, and the call that lets them go. */
export interface Hold {
  arrived: Promise<void>;
  release(): void;
}

/**
 * A gate for a slow test server's answers: `held` is what the server awaits while set;
 * `release` answers the held requests and clears the gate (through `clear`).
 */
export function holdAnswers(clear: () => void): { held: HeldAnswers; hold: Hold } {
  let arrived!: () => void;
  let release!: () => void;
  const arrival = new Promise<void>((resolve) => (arrived = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  return {
    held: { arrived, released },
    hold: {
      arrived: arrival,
      release() {
        clear();
        release();
      },
    },
  };
}

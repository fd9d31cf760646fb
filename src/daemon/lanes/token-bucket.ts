/**
 * At most `rate` takes per second on average, with bursts of up to `burst`: the daemon's cap on
 * how many times a second it stops processes. A burst of execs that rules match is spread out
 * instead of stopping a hundred processes in the same millisecond.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number = Math.max(1, rate),
    private readonly now: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    if (!(rate > 0)) throw new RangeError(`token bucket rate must be > 0, got ${rate}`);
    this.tokens = this.burst;
    this.last = this.now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
  }

  /** Takes one token now if there is one. */
  tryTake(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Waits until a token is there, then takes it; resolves the time waited in ms. */
  async take(): Promise<number> {
    let waited = 0;
    while (!this.tryTake()) {
      const ms = Math.max(1, ((1 - this.tokens) / this.rate) * 1000);
      await this.sleep(ms);
      waited += ms;
    }
    return waited;
  }
}

/**
 * Brokers to avoid for a while after they failed or answered slowly
 * (client/.../latency/LatencyFaultToleranceImpl.java).
 */
interface FaultItem {
  name: string;
  currentLatency: number;
  /** The item is available again from this time on. */
  startTimestamp: number;
}

export class LatencyFaultTolerance {
  private readonly items = new Map<string, FaultItem>();
  private whichItemWorst = Math.floor(Math.random() * 0x7fffffff);

  constructor(private readonly now: () => number = Date.now) {}

  updateFaultItem(name: string, currentLatency: number, notAvailableDuration: number): void {
    const startTimestamp = this.now() + notAvailableDuration;
    const old = this.items.get(name);
    if (old) {
      old.currentLatency = currentLatency;
      old.startTimestamp = startTimestamp;
    } else {
      this.items.set(name, { name, currentLatency, startTimestamp });
    }
  }

  isAvailable(name: string): boolean {
    const item = this.items.get(name);
    return item === undefined || this.now() - item.startTimestamp >= 0;
  }

  remove(name: string): void {
    this.items.delete(name);
  }

  /**
   * When every broker is marked, one of the better half: available ones first, then lower latency,
   * then the one available soonest (FaultItem.compareTo), rotating among them.
   */
  pickOneAtLeast(): string | undefined {
    const list = [...this.items.values()];
    if (list.length === 0) return undefined;
    const now = this.now();
    list.sort((a, b) => {
      const aa = now - a.startTimestamp >= 0;
      const ba = now - b.startTimestamp >= 0;
      if (aa !== ba) return aa ? -1 : 1;
      if (a.currentLatency !== b.currentLatency) return a.currentLatency - b.currentLatency;
      return a.startTimestamp - b.startTimestamp;
    });
    const half = Math.trunc(list.length / 2);
    if (half <= 0) return list[0]!.name;
    this.whichItemWorst = (this.whichItemWorst + 1) & 0x7fffffff;
    return list[this.whichItemWorst % half]!.name;
  }
}

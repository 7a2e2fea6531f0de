/**
 * An eviction order of the memory store (records in the order they were queued), with O(1) amortised
 * push, peek and shift. (Iterating a Map from its start to find the oldest entry is not O(1): V8 keeps a hole
 * for every deleted entry until the table is rebuilt, and a full store that deletes one and adds one
 * per request walked thousands of holes per request.)
 *
 * Items may go stale (their record was released, deleted, expired or replaced); the store skips them
 * when they reach the head, and `compact` drops them so the queue stays proportional to the store.
 */
export class InsertionQueue<T> {
  private items: Array<T | undefined> = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The front item, left in place. */
  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    // Reclaim the consumed front once it is most of the array.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Keeps only the items `keep` accepts, in order. */
  compact(keep: (item: T) => boolean): void {
    this.items = this.items.slice(this.head).filter((item): item is T => item !== undefined && keep(item));
    this.head = 0;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}

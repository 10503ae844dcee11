// Rows: a contiguous range of one table's rows, handed out as views on
// demand (nothing is built for rows that are not visited).

export class Rows {
  /**
   * @param {import('./snapshot.js').SnapshotView} snapshot
   * @param {number} start first row
   * @param {number} end one past the last row
   * @param {(snapshot: any, row: number) => any} viewOf builds the view of a row
   */
  constructor(snapshot, start, end, viewOf) {
    this.snapshot = snapshot;
    this.start = start;
    this.end = end;
    this.viewOf = viewOf;
  }

  /** How many rows. */
  get length() {
    return this.end - this.start;
  }

  /** The view of `row` (a row of the whole table) if it lies in this range. */
  at(row) {
    return Number.isInteger(row) && row >= this.start && row < this.end
      ? this.viewOf(this.snapshot, row)
      : undefined;
  }

  *[Symbol.iterator]() {
    for (let row = this.start; row < this.end; row++) yield this.viewOf(this.snapshot, row);
  }

  /** The first view for which `test` holds. */
  find(test) {
    for (const view of this) if (test(view)) return view;
    return undefined;
  }

  /** The views for which `test` holds, as an array. */
  filter(test) {
    const kept = [];
    for (const view of this) if (test(view)) kept.push(view);
    return kept;
  }

  /** `map(view)` of every view, as an array. */
  map(map) {
    const mapped = [];
    for (const view of this) mapped.push(map(view));
    return mapped;
  }

  /** Every view, as an array. */
  toArray() {
    return [...this];
  }
}

/**
 * The child rows of parent `row`: `starts[row]` up to `starts[row + 1]`, or to
 * `childCount` for the last parent; clamped, so a malformed column yields an
 * empty range rather than rows outside the table.
 */
export function children(starts, row, childCount) {
  // Called for every parent a policy visits, so written without a helper
  // closure: `end` never exceeds `childCount`, so bounding `start` by `end`
  // bounds it by both.
  const next = starts[row + 1];
  const end = next === undefined ? childCount : Math.min(next, childCount);
  const first = starts[row];
  const start = first === undefined ? end : Math.min(first, end);
  return [start, end];
}

// SnapshotBuilder: builds a valid bindings-shaped snapshot row by row, for
// unit tests and benchmarks under plain Node. Children (GPUs, labels, MIG
// instances, members, instances) must be added grouped by parent, as the
// host lays them out; `build` fills the `*_start` columns.

import { pack } from './columns.js';
import { Availability, Health, InstanceAction, InstanceStatus, MemberState } from './enums.js';
import { ARRAY_OF, NONE, TABLES, camel } from './schema.js';
import { parseGpuUuid } from './uuid.js';

/** Parent tables and the column of each child table that names its parent row. */
const GROUPED = [
  ['nodes', 'gpu_start', 'gpus', 'node'],
  ['nodes', 'label_start', 'labels', 'node'],
  ['gpus', 'mig_start', 'mig_instances', 'gpu'],
  ['pools', 'member_start', 'members', 'pool'],
  ['instance_groups', 'instance_start', 'instances', 'group'],
];

export class SnapshotBuilder {
  constructor() {
    this.version = 0n;
    this.timeMs = 0n;
    this.text = '';
    this.byteLength = 0;
    this.offsets = [0, 0]; // string 0 is ""
    this.ids = new Map([['', 0]]);
    this.rows = Object.fromEntries(Object.entries(TABLES).map(([table, columns]) => [
      table, Object.fromEntries(Object.keys(columns).map((column) => [column, []])),
    ]));
  }

  /** The id of `text`, interning it if it is new. */
  intern(text) {
    let id = this.ids.get(text);
    if (id === undefined) {
      this.text += text;
      this.byteLength += new TextEncoder().encode(text).length;
      this.offsets.push(this.byteLength);
      id = this.offsets.length - 2;
      this.ids.set(text, id);
    }
    return id;
  }

  /** A node: healthy, fresh, not stale. Returns its row. */
  node(name, address = '') {
    return this.#add('nodes', {
      name: this.intern(name), address: this.intern(address), health: Health.code(Health.Healthy),
      telemetry_age_ms: 0, stale: 0,
    });
  }

  nodeHealth(node, health) {
    return this.#set('nodes', node, 'health', Health.code(health));
  }

  nodeStale(node, stale) {
    return this.#set('nodes', node, 'stale', stale ? 1 : 0);
  }

  label(node, key, value) {
    return this.#add('labels', { node, key: this.intern(key), value: this.intern(value) }, 'nodes', node);
  }

  /**
   * A GPU of `node`. Anything `sample` leaves out is "not reported": NaN
   * measurements, health unknown, no XID, not throttled, MIG off.
   */
  gpu(node, sample = {}) {
    const [uuidHigh, uuidLow] = sample.uuid === undefined ? [0n, 0n] : parseGpuUuid(sample.uuid);
    return this.#add('gpus', {
      node, index: sample.index ?? 0, uuid_high: uuidHigh, uuid_low: uuidLow,
      model: this.intern(sample.model ?? ''),
      utilization: sample.utilization ?? NaN, tensor_activity: sample.tensorActivity ?? NaN,
      memory_used_mib: sample.memoryUsedMib ?? NaN, memory_total_mib: sample.memoryTotalMib ?? NaN,
      temperature_c: sample.temperatureC ?? NaN, power_w: sample.powerW ?? NaN,
      power_limit_w: sample.powerLimitW ?? NaN, throttled: sample.throttled ? 1 : 0,
      last_xid: sample.lastXid ?? 0, health: Health.code(sample.health ?? Health.Unknown),
      mig_enabled: sample.migEnabled ? 1 : 0,
    }, 'nodes', node);
  }

  /** A MIG instance of `gpu`. */
  migInstance(gpu, sample = {}) {
    return this.#add('mig_instances', {
      gpu, profile: this.intern(sample.profile ?? ''), instance_id: sample.instanceId ?? 0,
      placement_start: sample.placementStart ?? 0, placement_size: sample.placementSize ?? 0,
      utilization: sample.utilization ?? NaN, memory_used_mib: sample.memoryUsedMib ?? NaN,
      memory_total_mib: sample.memoryTotalMib ?? NaN,
    }, 'gpus', gpu);
  }

  pool(name, partition = 'Common', loadBalancingMode = 'ratio-member') {
    return this.#add('pools', {
      name: this.intern(name), partition: this.intern(partition),
      load_balancing_mode: this.intern(loadBalancingMode),
    });
  }

  /** A member of `pool`: enabled, available, ratio 1 unless `fields` say otherwise. */
  member(pool, name, fields = {}) {
    return this.#add('members', {
      pool, node: fields.node ?? NONE, name: this.intern(name),
      address: this.intern(fields.address ?? ''), port: fields.port ?? 0, ratio: fields.ratio ?? 1,
      state: MemberState.code(fields.state ?? MemberState.Enabled),
      availability: Availability.code(fields.availability ?? Availability.Available),
      current_connections: fields.currentConnections ?? 0,
      connection_limit: fields.connectionLimit ?? 0,
    }, 'pools', pool);
  }

  memberState(member, state) {
    return this.#set('members', member, 'state', MemberState.code(state));
  }

  memberRatio(member, ratio) {
    return this.#set('members', member, 'ratio', ratio);
  }

  /** A managed instance group; no backend unless `fields.backendService` is given. */
  instanceGroup(name, fields = {}) {
    return this.#add('instance_groups', {
      name: this.intern(name), location: this.intern(fields.location ?? ''),
      target_size: fields.targetSize ?? 0, current_size: fields.currentSize ?? 0,
      min_size: fields.minSize ?? 0, max_size: fields.maxSize ?? 0,
      backend_service: fields.backendService === undefined ? NONE : this.intern(fields.backendService),
      capacity_scaler: fields.capacityScaler ?? NaN,
    });
  }

  /** An instance of `group`: running, no action, not serving unless `fields` say otherwise. */
  instance(group, name, fields = {}) {
    return this.#add('instances', {
      group, node: fields.node ?? NONE, name: this.intern(name),
      status: InstanceStatus.code(fields.status ?? InstanceStatus.Running),
      action: InstanceAction.code(fields.action ?? InstanceAction.None),
      serving: fields.serving ? 1 : 0,
      last_error: fields.lastError === undefined ? NONE : this.intern(fields.lastError),
    }, 'instance_groups', group);
  }

  signal(name, value) {
    return this.#add('signals', { name: this.intern(name), value });
  }

  /** The snapshot as the component bindings hand it to `decide`. */
  build() {
    const columns = structuredClone(this.rows);
    for (const [parent, start, child, key] of GROUPED) {
      const parents = columns[parent][Object.keys(TABLES[parent])[0]].length;
      columns[parent][start] = starts(parents, columns[child][key]);
    }
    const snapshot = {
      version: BigInt(this.version),
      timeMs: BigInt(this.timeMs),
      strings: { text: this.text, offsets: pack(Uint32Array.from(this.offsets)) },
    };
    for (const [table, types] of Object.entries(TABLES)) {
      snapshot[camel(table)] = Object.fromEntries(Object.entries(types).map(
        ([column, type]) => [camel(column), pack(ARRAY_OF[type].from(columns[table][column]))],
      ));
    }
    return snapshot;
  }

  /** Append a row to `table`; children must follow their parent's earlier children. */
  #add(table, values, parentTable, parent) {
    const rows = this.rows[table];
    if (parentTable !== undefined) {
      const parents = this.rows[parentTable][Object.keys(TABLES[parentTable])[0]].length;
      if (!Number.isInteger(parent) || parent < 0 || parent >= parents) {
        throw new RangeError(`${table}: no ${parentTable} row ${parent}`);
      }
      const last = rows[Object.keys(values)[0]].at(-1);
      if (last !== undefined && last > parent) {
        throw new RangeError(`${table}: add them grouped by parent (row ${parent} after ${last})`);
      }
    }
    for (const column of Object.keys(TABLES[table])) {
      if (!column.endsWith('_start')) rows[column].push(values[column]);
    }
    return rows[Object.keys(TABLES[table])[0]].length - 1;
  }

  #set(table, row, column, value) {
    if (!(row >= 0 && row < this.rows[table][column].length)) throw new RangeError(`${table}: no row ${row}`);
    this.rows[table][column][row] = value;
    return this;
  }
}

/** The `*_start` column of `parents` parents whose children name them in `parentOf`. */
function starts(parents, parentOf) {
  const start = new Array(parents).fill(parentOf.length);
  for (let row = parentOf.length - 1; row >= 0; row--) start[parentOf[row]] = row;
  for (let parent = parents - 2; parent >= 0; parent--) start[parent] = Math.min(start[parent], start[parent + 1]);
  return start;
}

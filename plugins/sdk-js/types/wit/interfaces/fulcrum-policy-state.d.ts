declare module 'fulcrum:policy/state@0.3.0' {
  /**
   * The value stored under `key`, if any.
   */
  export function get(key: string): Uint8Array | undefined;
  /**
   * Store `value` under `key`, replacing any earlier value.
   */
  export function set(key: string, value: Uint8Array): void;
  /**
   * Remove `key`; removing a key that is absent is not an error.
   */
  export { _delete as delete };
  function _delete(key: string): void;
  /**
   * Why a write was refused.
   */
  export type StateError = StateErrorInvalidKey | StateErrorQuotaExceeded;
  /**
   * Keys are 1..=256 bytes.
   */
  export interface StateErrorInvalidKey {
    tag: 'invalid-key',
  }
  /**
   * The write would take the policy's state over its quota (the payload is the
   * quota in bytes; 1 MiB unless the operator set another). Every entry
   * counts its key, its value and 64 bytes for the host's keeping of it.
   */
  export interface StateErrorQuotaExceeded {
    tag: 'quota-exceeded',
    val: bigint,
  }
}

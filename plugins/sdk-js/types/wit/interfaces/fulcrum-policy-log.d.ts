declare module 'fulcrum:policy/log@0.3.0' {
  /**
   * Write one message. Messages longer than 1 KiB are cut to 1 KiB, and an
   * evaluation writes at most 32 messages and 8 KiB in all; the rest are
   * dropped, and the host counts what it dropped or cut. Control characters
   * are escaped before a message reaches a text log.
   */
  export function log(level: Level, message: string): void;
  /**
   * Severity of a message.
   * # Variants
   * 
   * ## `"trace"`
   * 
   * Very detailed tracing, off unless asked for.
   * ## `"debug"`
   * 
   * Details for debugging a policy.
   * ## `"info"`
   * 
   * Normal operation worth recording.
   * ## `"warn"`
   * 
   * Something looks wrong, but the policy carries on.
   * ## `"error"`
   * 
   * The policy cannot do what it should.
   */
  export type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error';
}

/**
 * The part of asterisk-manager 0.2.0 (untyped CommonJS) that src/telephony/ami/ami.client.ts
 * uses. The module exports one factory; with no port it does not connect on its own.
 * Messages it hands back have lower-cased keys; repeated keys become arrays and
 * `Variable`/`ChanVariable` become objects.
 */
declare module 'asterisk-manager' {
  function AsteriskManager(
    port: number | undefined,
    host: string,
    username: string,
    password: string,
    events: boolean,
  ): AsteriskManager.Instance;

  namespace AsteriskManager {
    type Value = string | string[] | Record<string, string>;
    type Message = Record<string, Value | undefined>;

    interface Action {
      action: string;
      /** Lower-case on purpose: the library reads only `actionid` and drops other spellings. */
      actionid?: string;
      [header: string]: string | string[] | undefined;
    }

    interface Instance {
      connect(port: number, host: string, callback?: (err: Error | null) => void): void;
      /** Sends Login with the constructor's credentials; `err` is the Error response, if any. */
      login(callback: (err: Message | undefined) => void): void;
      action(action: Action, callback: (err: Message | undefined, response: Message) => void): string;
      disconnect(callback?: () => void): void;
      isConnected(): boolean;
      on(event: 'close' | 'end' | 'connect', listener: () => void): void;
      on(event: 'error', listener: (err: Error) => void): void;
      removeAllListeners(event?: string): void;
    }
  }

  export = AsteriskManager;
}

// The subset of the Deno namespace the runner uses. The runner runs only under Deno; declaring
// what it touches keeps one type checker (tsc) for the whole repository.
declare namespace Deno {
  type Signal = "SIGTERM" | "SIGINT" | "SIGKILL" | "SIGHUP" | "SIGQUIT";
  interface CommandStatus {
    readonly success: boolean;
    readonly code: number;
    readonly signal: Signal | null;
  }
  interface ChildProcess {
    readonly pid: number;
    readonly stdin: WritableStream<Uint8Array>;
    readonly stdout: ReadableStream<Uint8Array>;
    readonly stderr: ReadableStream<Uint8Array>;
    readonly status: Promise<CommandStatus>;
    kill(signal?: Signal): void;
  }
  interface CommandOptions {
    args?: string[];
    env?: Record<string, string>;
    clearEnv?: boolean;
    cwd?: string;
    stdin?: "piped" | "inherit" | "null";
    stdout?: "piped" | "inherit" | "null";
    stderr?: "piped" | "inherit" | "null";
  }
  class Command {
    constructor(command: string | URL, options?: CommandOptions);
    spawn(): ChildProcess;
  }
  interface FileInfo {
    isFile: boolean;
    isDirectory: boolean;
    size: number;
  }
  const args: string[];
  let exitCode: number;
  interface PermissionDescriptor {
    name: string;
    variable?: string;
  }
  const permissions: {
    querySync(descriptor: PermissionDescriptor): { state: "granted" | "denied" | "prompt" };
    revokeSync(descriptor: PermissionDescriptor): { state: "granted" | "denied" | "prompt" };
  };
  const stdin: { isTerminal(): boolean; readSync(into: Uint8Array): number | null };
  function unrefTimer(id: number): void;
  function removeSync(path: string | URL, options?: { recursive?: boolean }): void;
  interface FsFile {
    readSync(buffer: Uint8Array): number | null;
    writeSync(data: Uint8Array): number;
    truncateSync(length?: number): void;
    seekSync(offset: number, whence: 0 | 1 | 2): number;
    statSync(): FileInfo;
    close(): void;
  }
  function openSync(path: string | URL, options?: { read?: boolean; write?: boolean }): FsFile;
  const pid: number;
  const env: {
    get(key: string): string | undefined;
    toObject(): Record<string, string>;
    set(key: string, value: string): void;
  };
  const stdout: {
    writable: WritableStream<Uint8Array>;
    write(data: Uint8Array): Promise<number>;
    writeSync(data: Uint8Array): number;
  };
  const stderr: {
    writable: WritableStream<Uint8Array>;
    write(data: Uint8Array): Promise<number>;
    writeSync(data: Uint8Array): number;
  };
  const errors: {
    NotFound: new (...args: never[]) => Error;
    PermissionDenied: new (...args: never[]) => Error;
    NotCapable: new (...args: never[]) => Error;
  };
  function execPath(): string;
  function cwd(): string;
  function inspect(value: unknown): string;
  function exit(code?: number): never;
  let addSignalListener: (signal: Signal, handler: () => void) => void;
  let removeSignalListener: (signal: Signal, handler: () => void) => void;
  function stat(path: string | URL): Promise<FileInfo>;
  function statSync(path: string | URL): FileInfo;
  function lstatSync(path: string | URL): FileInfo;
  function readTextFile(path: string | URL): Promise<string>;
  function writeTextFileSync(
    path: string | URL,
    data: string,
    options?: { create?: boolean },
  ): void;
  function readTextFileSync(path: string | URL): string;
  function readFileSync(path: string | URL): Uint8Array;
  function makeTempDirSync(options?: { prefix?: string; dir?: string }): string;
  function remove(path: string | URL, options?: { recursive?: boolean }): Promise<void>;
}

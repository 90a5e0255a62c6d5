/**
 * The actors of a fault scenario, each its own process (`node --import tsx actors/<x>/main.ts`, what `npm run <x>`
 * runs, without npm's extra process in between, so a SIGKILL reaches the actor itself). Each is the leader of its own
 * process group and writes its JSON log lines to `<runDir>/logs/<name>.log` (a restart appends). Every group ever
 * started is recorded, so {@link killEverything} can take them all down on any exit, failures included.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  type ChildExit,
  isAlive,
  type RunningChild,
  signalGroup,
  spawnChild,
  stopGroup,
} from '../../runtime/local-stack/processes.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Every process group started, for the last-resort cleanup. */
const everyGroup = new Map<number, string>();

/** SIGKILLs every actor group still alive (synchronous: usable from an exit hook). */
export const killEverything = (): void => {
  for (const [pid, startTime] of everyGroup)
    if (isAlive(pid, startTime)) {
      try {
        signalGroup(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
};

/** How to start one actor. */
export interface ActorSpec {
  /** Unique name in the scenario, e.g. `storage-1`; the log file is named after it. */
  readonly name: string;
  /** The folder under actors/ (`stream-to-storage`). */
  readonly service: string;
  readonly args: ReadonlyArray<string>;
  readonly env: Readonly<Record<string, string>>;
}

/** One running (or ended) actor process. */
export interface ActorProcess {
  readonly spec: ActorSpec;
  readonly child: RunningChild;
  readonly startedAt: number;
  /** Set when the suite killed it on purpose. */
  killed: boolean;
}

/** The actors of one scenario. */
export class ActorSet {
  private readonly current = new Map<string, ActorProcess>();
  /** Exits the suite did not cause (crashes), with their names. */
  readonly unexpectedExits: Array<{ readonly name: string; readonly exit: ChildExit }> = [];

  constructor(
    private readonly logsDir: string,
    private readonly baseEnv: Readonly<Record<string, string>>,
  ) {
    mkdirSync(logsDir, { recursive: true });
  }

  /** Starts an actor (or starts it again under the same name, after a kill). */
  start(spec: ActorSpec): ActorProcess {
    const env: NodeJS.ProcessEnv = { ...process.env, ...this.baseEnv, ...spec.env };
    delete env.NODE_OPTIONS;
    const child = spawnChild({
      name: spec.name,
      label: spec.name,
      command: process.execPath,
      args: ['--import', 'tsx', join(REPO, 'actors', spec.service, 'main.ts'), ...spec.args],
      env,
      cwd: REPO,
      logFile: this.logFile(spec.name),
    });
    everyGroup.set(child.pid, child.startTime);
    const p: ActorProcess = { spec, child, startedAt: Date.now(), killed: false };
    this.current.set(spec.name, p);
    void child.exited.then((exit) => {
      if (!p.killed && exit.code !== 0) this.unexpectedExits.push({ name: spec.name, exit });
    });
    return p;
  }

  get(name: string): ActorProcess {
    const p = this.current.get(name);
    if (!p) throw new Error(`no actor ${name}`);
    return p;
  }

  names(): string[] {
    return [...this.current.keys()];
  }

  logFile(name: string): string {
    return join(this.logsDir, `${name}.log`);
  }

  /** SIGKILLs the actor's whole group and waits until it is reaped. */
  async kill(name: string): Promise<void> {
    const p = this.get(name);
    p.killed = true;
    signalGroup(p.child.pid, 'SIGKILL');
    await p.child.exited;
  }

  /** Kills, then starts it again with the same spec. */
  async restart(name: string): Promise<ActorProcess> {
    await this.kill(name);
    return this.start(this.get(name).spec);
  }

  /** Whether the actor's process is running. */
  alive(name: string): boolean {
    return this.get(name).child.exit() === undefined;
  }

  /** Waits for the actor to end by itself; undefined after `timeoutMs`. */
  async waitExit(name: string, timeoutMs: number): Promise<ChildExit | undefined> {
    const p = this.get(name);
    return Promise.race([
      p.child.exited,
      new Promise<undefined>((r) => setTimeout(() => r(undefined), timeoutMs).unref()),
    ]);
  }

  /** Graceful stop (SIGTERM, SIGKILL after `timeoutMs`); returns how it ended. */
  async stop(name: string, timeoutMs = 20_000): Promise<ChildExit> {
    const p = this.get(name);
    p.killed = true; // from here on an exit is ours, whatever its code
    await stopGroup(p.child.pid, p.child.startTime, timeoutMs, p.child.exited);
    return p.child.exited;
  }

  /** Stops every actor still running; SIGKILL for the stubborn. */
  async stopAll(timeoutMs = 10_000): Promise<void> {
    await Promise.all(
      [...this.current.values()]
        .filter((p) => p.child.exit() === undefined)
        .map((p) => this.stop(p.spec.name, timeoutMs).catch(() => undefined)),
    );
  }

  /** The ops server URL the actor's current process logged (`"ops":"http://..."`), if any. */
  opsUrl(name: string): string | undefined {
    return this.logged(name, /"ops":"(http:\/\/[^"]+)"/);
  }

  /** The first group of `pattern` in the log lines of the actor's current process, if any. */
  logged(name: string, pattern: RegExp): string | undefined {
    return pattern.exec(this.currentLog(name))?.[1];
  }

  /** What the actor's current process has logged (after the last start marker of its log file). */
  currentLog(name: string): string {
    let text: string;
    try {
      text = readFileSync(this.logFile(name), 'utf8');
    } catch {
      return '';
    }
    const marker = text.lastIndexOf('\n--- ');
    return marker >= 0 ? text.slice(marker) : text;
  }
}

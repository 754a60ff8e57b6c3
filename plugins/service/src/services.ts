import type { Logger, ProcessState } from '@rr/contracts';
import { serviceErrors } from './errors.js';
import { ServiceProcess, type ServiceSpec } from './process.js';
import type { StatusMessage } from './proto.js';

/** The processes of one service (process_num copies of its command). */
class ServiceGroup {
  readonly spec: ServiceSpec;
  readonly #log: Logger;
  #processes: ServiceProcess[] = [];

  constructor(spec: ServiceSpec, log: Logger) {
    this.spec = spec;
    this.#log = log;
  }

  get processes(): readonly ServiceProcess[] {
    return this.#processes;
  }

  /** Starts fresh processes; if one cannot start, the others are stopped again and the error is thrown. */
  async start(): Promise<void> {
    const output = this.spec.serviceNameInLog ? this.#log.with({ service: this.spec.name }) : this.#log;
    const processes = Array.from({ length: this.spec.processNum }, () => new ServiceProcess(this.spec, this.#log, output));
    this.#processes = processes;
    const results = await Promise.allSettled(processes.map((p) => p.start()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) {
      await this.stop();
      throw failed.reason;
    }
    this.#log.info('service was started', { name: this.spec.name, command: this.spec.command, process_num: this.spec.processNum });
  }

  async stop(signal?: AbortSignal): Promise<void> {
    await Promise.all(this.#processes.map((p) => p.stop(signal)));
    this.#log.info('service was stopped', { name: this.spec.name, command: this.spec.command });
  }
}

/**
 * Every service by name, from YAML and service.Create. Lifecycle operations (create, terminate, restart,
 * reset) run one at a time, as RoadRunner's RPC mutex makes them.
 */
export class ServiceManager {
  readonly #log: Logger;
  readonly #groups = new Map<string, ServiceGroup>();
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(log: Logger) {
    this.#log = log;
  }

  /**
   * Starts a service under a new name.
   *
   * @throws RR_ERR_SERVICE_ALREADY_EXISTS, RR_ERR_SERVICE_NO_PROCESSES, RR_ERR_SERVICE_START_FAILED,
   * RR_ERR_SERVICE_STOPPED.
   */
  create(spec: ServiceSpec, method = 'service.Create'): Promise<void> {
    return this.#serial(method, async () => {
      if (this.#groups.has(spec.name)) throw serviceErrors.ALREADY_EXISTS(spec.name);
      if (spec.processNum < 1) throw serviceErrors.NO_PROCESSES(spec.name);
      const group = new ServiceGroup(spec, this.#log);
      await group.start();
      this.#groups.set(spec.name, group);
    });
  }

  /** Stops a service and forgets it. @throws RR_ERR_SERVICE_NOT_FOUND, RR_ERR_SERVICE_STOPPED. */
  terminate(name: string): Promise<void> {
    return this.#serial('service.Terminate', async () => {
      const group = this.#get(name);
      this.#groups.delete(name);
      await group.stop();
    });
  }

  /**
   * Stops every process of a service and starts new ones with the same settings. A service that cannot
   * start again is forgotten, as in RoadRunner.
   *
   * @throws RR_ERR_SERVICE_NOT_FOUND, RR_ERR_SERVICE_START_FAILED, RR_ERR_SERVICE_STOPPED.
   */
  restart(name: string): Promise<void> {
    return this.#serial('service.Restart', () => this.#restart(this.#get(name)));
  }

  /** Restarts every service (rr reset); one that cannot start again is logged and forgotten. */
  resetAll(): Promise<void> {
    return this.#serial('reset', async () => {
      await Promise.all(
        [...this.#groups.values()].map((group) =>
          this.#restart(group).catch((err: unknown) =>
            this.#log.error('unable to start the service', { name: group.spec.name, error: err instanceof Error ? err.message : String(err) }),
          ),
        ),
      );
    });
  }

  async #restart(group: ServiceGroup): Promise<void> {
    await group.stop();
    const fresh = new ServiceGroup(group.spec, this.#log);
    try {
      await fresh.start();
    } catch (err) {
      this.#groups.delete(group.spec.name);
      throw err;
    }
    this.#groups.set(group.spec.name, fresh);
  }

  /** One status per process. @throws RR_ERR_SERVICE_NOT_FOUND. */
  statuses(name: string): StatusMessage[] {
    return this.#get(name).processes.map((p) => p.status());
  }

  /** Service names in creation order. */
  list(): string[] {
    return [...this.#groups.keys()];
  }

  /** Every running process of every service, for `rr workers`. */
  workers(): ProcessState[] {
    return [...this.#groups.values()].flatMap((g) => g.processes.flatMap((p) => p.processState() ?? []));
  }

  /** Refuses further operations, then stops every service at once; `signal` turns the grace into SIGKILL. */
  async stopAll(signal?: AbortSignal): Promise<void> {
    this.#closed = true;
    // Let an operation in flight settle so its processes are registered, then stopped, not orphaned.
    await this.#queue.catch(() => undefined);
    const groups = [...this.#groups.values()];
    this.#groups.clear();
    await Promise.all(groups.map((g) => g.stop(signal)));
  }

  #get(name: string): ServiceGroup {
    const group = this.#groups.get(name);
    if (group === undefined) throw serviceErrors.NOT_FOUND(name);
    return group;
  }

  #serial<T>(method: string, operation: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => {
      if (this.#closed) throw serviceErrors.STOPPED(method);
      return operation();
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

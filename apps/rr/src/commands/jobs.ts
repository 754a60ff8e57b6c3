import type { PipelineState } from '@rr/contracts';
import type { RpcClient } from '@rr/goridge';
import protobuf from 'protobufjs/light.js';
import { cliErrors } from '../errors.js';
import { renderBox } from './table.js';

const CODEC_PROTO = 0x80;

// jobs.v1.Pipelines (PROTOCOL §5.6), the argument of jobs.Pause/Resume/Destroy and the reply of
// jobs.List/Destroy. Counters come from informer.Jobs (JSON), so this is the only message the CLI needs.
const Pipelines = protobuf.Root.fromJSON({
  nested: { Pipelines: { fields: { pipelines: { rule: 'repeated', type: 'string', id: 1 } } } },
}).lookupType('Pipelines');

const encodePipelines = (names: readonly string[]): Buffer => Buffer.from(Pipelines.encode({ pipelines: names }).finish());
const decodePipelines = (bytes: Uint8Array): string[] => (Pipelines.toObject(Pipelines.decode(bytes), { arrays: true }) as { pipelines: string[] }).pipelines;

/** What `rr jobs` was asked to do: RoadRunner's flag form (`--pause a,b`) or a subcommand (`rr jobs pause a b`). */
export interface JobsCommand {
  action: 'list' | 'pause' | 'resume' | 'destroy';
  pipelines: string[];
}

const ACTIONS = ['list', 'pause', 'resume', 'destroy'] as const;

/** Parses the words after `rr jobs`; names may be comma-separated as RoadRunner's flags take them. */
export function parseJobsCommand(words: readonly string[]): JobsCommand {
  const [first, ...rest] = words;
  const action = (first ?? 'list').replace(/^--/, '');
  if (!(ACTIONS as readonly string[]).includes(action)) throw cliErrors.BAD_ARGS(`unknown jobs action "${first}" (expected list, pause, resume or destroy)`);
  const pipelines = rest.flatMap((w) => w.split(',')).map((w) => w.trim()).filter(Boolean);
  if (action !== 'list' && pipelines.length === 0) throw cliErrors.BAD_ARGS(`rr jobs ${action} needs at least one pipeline name`);
  return { action: action as JobsCommand['action'], pipelines };
}

/** Runs one `rr jobs` action over RPC; returns the text to print. */
export async function runJobs(client: RpcClient, command: JobsCommand): Promise<string> {
  switch (command.action) {
    case 'list': {
      const states = (await client.call<JobsStateJson[] | null>('informer.Jobs', 'jobs')) ?? [];
      return renderPipelines(states.map(fromJson));
    }
    case 'pause':
    case 'resume':
      await client.call(command.action === 'pause' ? 'jobs.Pause' : 'jobs.Resume', encodePipelines(command.pipelines), CODEC_PROTO);
      return command.pipelines.map((p) => `${command.action === 'pause' ? 'paused' : 'resumed'} ${p}`).join('\n');
    case 'destroy': {
      const reply = await client.call<Uint8Array>('jobs.Destroy', encodePipelines(command.pipelines), CODEC_PROTO);
      return decodePipelines(reply).map((p) => `destroyed ${p}`).join('\n');
    }
  }
}

/** informer.Jobs' JSON: RoadRunner's Go field names. */
interface JobsStateJson {
  Pipeline: string;
  Driver: string;
  Queue: string;
  Active: number;
  Delayed: number;
  Reserved: number;
  Ready: boolean;
  Priority: number;
  ErrorMessage: string;
}

const fromJson = (s: JobsStateJson): PipelineState => ({
  pipeline: s.Pipeline,
  driver: s.Driver,
  queue: s.Queue,
  priority: s.Priority,
  active: s.Active,
  delayed: s.Delayed,
  reserved: s.Reserved,
  ready: s.Ready,
  errorMessage: s.ErrorMessage,
});

/** The pipeline table RoadRunner's `rr jobs --list` and `rr workers` print. */
export function renderPipelines(states: readonly PipelineState[]): string {
  const rows = [['STATUS', 'PIPELINE', 'DRIVER', 'QUEUE', 'PRIORITY', 'ACTIVE', 'DELAYED', 'RESERVED']];
  for (const s of states) {
    rows.push([
      s.errorMessage !== '' ? `error: ${s.errorMessage}` : s.ready ? 'ready' : 'paused',
      s.pipeline,
      s.driver,
      s.queue,
      String(s.priority),
      String(s.active),
      String(s.delayed),
      String(s.reserved),
    ]);
  }
  return renderBox('Jobs pipelines:', rows);
}

/** informer.Jobs of one plugin as contract states, for `rr workers`' pipeline table. */
export async function pipelineStates(client: RpcClient, plugin: string): Promise<PipelineState[]> {
  return ((await client.call<JobsStateJson[] | null>('informer.Jobs', plugin)) ?? []).map(fromJson);
}

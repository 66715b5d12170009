// Replay of a server's run: its journal (`GET /v1/runs/{id}`) and the task text it is pinned to
// (`GET /v1/runs/{id}/source`) come through the REST API, with the bearer token; nothing is sent
// that changes the server. The token goes only to the server the launch names.
import type { JournalEvent } from '../journal/events';
import { sourceHash } from '../runtime/pinned';
import { LaunchError } from './launch';

export interface ServerRecording {
  recording: JournalEvent[];
  /** The task text the run started with (its hash checked against the journal's `taskHash`). */
  source: string;
}

/** Checks the `server` launch attribute; returns its base URL or throws a LaunchError that says what to give. */
export function replayServerUrl(server: unknown): URL {
  let url: URL | undefined;
  try {
    url = typeof server === 'string' ? new URL(server.trim()) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password || url.search || url.hash) {
    throw new LaunchError(
      `'server' must be the http:// or https:// URL of a Stepwise server, such as http://127.0.0.1:8080, not ${JSON.stringify(server)} (the token goes in 'token' or STEPWISE_TOKEN, not in the URL).`,
    );
  }
  return url;
}

/** Reads a server's run and its pinned text; throws LaunchError with the server's own words. */
export async function fetchServerRecording(server: URL, runId: string, token: string | undefined, timeoutMs = 30_000): Promise<ServerRecording> {
  const where = server.host;
  const get = async <T>(path: string): Promise<T> => {
    let res: Response;
    try {
      res = await fetch(`${server.href.replace(/\/+$/, '')}${path}`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      throw new LaunchError(`Cannot reach the Stepwise server at ${where}: ${(err as Error).message}${cause ? ` (${cause})` : ''}.`);
    }
    const body = (await res.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
    if (res.status === 401) {
      throw new LaunchError(
        `The Stepwise server at ${where} refused the request: ${token ? 'the token given is not the one it was started with' : 'it needs a token'}. Give it in the launch attribute 'token' or the STEPWISE_TOKEN environment variable.`,
      );
    }
    if (!res.ok || body === undefined) throw new LaunchError(body?.error?.message ?? `The server at ${where} answered ${res.status}; is it a Stepwise server?`);
    return body as T;
  };
  const id = encodeURIComponent(runId);
  const { run } = await get<{ run: { journal: JournalEvent[] } }>(`/v1/runs/${id}`);
  const started = run.journal[0];
  if (started?.type !== 'run-started') throw new LaunchError(`The journal of run '${runId}' on ${where} has no run-started entry.`);
  const { source } = await get<{ source: { hash: string; text: string } }>(`/v1/runs/${id}/source`);
  if (sourceHash(source.text) !== started.taskHash) {
    throw new LaunchError(`The task text the server at ${where} gave for run '${runId}' is not the version the run started with (its hash differs).`);
  }
  return { recording: run.journal, source: source.text };
}

// The schedules' REST endpoints. They are registered on the API's app, behind its Host,
// cross-site and token checks (server/http.ts, server/guard.ts).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../server/support';
import { UnknownScheduleError, type Scheduler } from './scheduler';

function scheduleIdParam(req: FastifyRequest): string {
  return (req.params as { id: string }).id;
}

export function scheduleRoutes(app: FastifyInstance, scheduler: Scheduler | undefined): void {
  app.get('/v1/schedules', async () => ({ schedules: scheduler ? await scheduler.list() : [] }));

  for (const action of ['pause', 'resume'] as const) {
    app.post(`/v1/schedules/:id/${action}`, async (req) => {
      const id = scheduleIdParam(req);
      try {
        if (!scheduler) throw new UnknownScheduleError(id);
        return { schedule: await scheduler.setPaused(id, action === 'pause') };
      } catch (err) {
        if (err instanceof UnknownScheduleError) {
          const known = scheduler ? (await scheduler.list()).map((s) => s.id) : [];
          throw new ApiError(404, 'schedule-not-found', `No schedule '${id}': a schedule's id is task:index. Known: ${known.join(', ') || 'none'}.`);
        }
        throw err;
      }
    });
  }
}

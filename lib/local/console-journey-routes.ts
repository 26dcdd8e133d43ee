import { describeError } from '../messages/message-errors.ts';
import { ConsoleAnswer, type ConsoleRoute } from './console-server.ts';
import { JourneyNotFoundError } from './local-errors.ts';
import { JOURNEY_CAPACITY, type MessageJourneys } from './message-journeys.ts';

/** The console's journey view: a search (`?q=`), and one message's journey with those of its correlation. */
export function journeyRoutes(journeys: MessageJourneys): ConsoleRoute[] {
  return [
    ['GET', /^\/api\/journeys$/, async (_, __, { query }) => ({ capacity: JOURNEY_CAPACITY, matches: journeys.search(query.get('q') ?? '') })],
    [
      'GET',
      /^\/api\/journeys\/([^/]+)$/,
      async ([, encoded]) => {
        const id = decodeURIComponent(encoded!);
        return journeys.journeyOf(id) ?? new ConsoleAnswer(404, { error: describeError(new JourneyNotFoundError(id, JOURNEY_CAPACITY)) });
      },
    ],
  ];
}

/**
 * schema.org Event data for a session page, so search engines and
 * aggregators can show the date, place and availability.
 */
import type { HubSettings } from '../../domain/hub/hub.js';
import { toLondonIso } from '../../domain/time/time.js';
import type { SessionDetail } from '../../services/programme/catalogueService.js';

export function sessionEvent(session: SessionDetail, hub: HubSettings, publicUrl: string) {
  const url = `${publicUrl}/sessions/${session.id}`;
  const place = session.venue && {
    '@type': 'Place',
    name: session.venue.name,
    address: {
      '@type': 'PostalAddress',
      streetAddress: session.venue.addressLines.join(', '),
      addressLocality: session.venue.town,
      ...(session.venue.postcode ? { postalCode: session.venue.postcode } : {}),
      addressCountry: 'GB',
    },
    ...(session.venue.phone ? { telephone: session.venue.phone } : {}),
  };
  const virtual = { '@type': 'VirtualLocation', url };
  const location =
    session.format === 'online' ? virtual : session.format === 'hybrid' ? [place, virtual] : place;
  const attendanceMode = {
    in_person: 'https://schema.org/OfflineEventAttendanceMode',
    online: 'https://schema.org/OnlineEventAttendanceMode',
    hybrid: 'https://schema.org/MixedEventAttendanceMode',
  }[session.format];
  return {
    '@context': 'https://schema.org',
    '@type': 'Event',
    name: session.course.title,
    description: session.course.summary,
    url,
    startDate: toLondonIso(session.startsAt),
    endDate: toLondonIso(session.endsAt),
    eventStatus: session.cancelled
      ? 'https://schema.org/EventCancelled'
      : 'https://schema.org/EventScheduled',
    eventAttendanceMode: attendanceMode,
    location,
    organizer: { '@type': 'Organization', name: hub.name, email: hub.contactEmail, url: publicUrl },
    performer: session.trainers.map((trainer) => ({
      '@type': 'Person',
      name: trainer.name,
      url: `${publicUrl}/trainers/${trainer.slug}`,
    })),
    maximumAttendeeCapacity: session.capacity,
    remainingAttendeeCapacity: session.placesLeft,
    ...(session.parts.length > 1
      ? {
          subEvent: session.parts.map((part, index) => ({
            '@type': 'Event',
            name: `${session.course.title}: part ${index + 1}`,
            startDate: toLondonIso(part.startsAt),
            endDate: toLondonIso(part.endsAt),
          })),
        }
      : {}),
    offers: {
      '@type': 'Offer',
      url,
      price: 0,
      priceCurrency: 'GBP',
      availability: session.isFull ? 'https://schema.org/SoldOut' : 'https://schema.org/InStock',
    },
  };
}

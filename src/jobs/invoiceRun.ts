import type { RecordedJob } from './job.js';

export const invoiceRunJob: RecordedJob = {
  name: 'invoice-run',
  description:
    'charges paid places whose sessions have started and gathers confirmed charges into draft invoices',
  cadence: { monthlyAt: '06:00' },
  run: async ({ services }) => {
    const { invoices, lines, placesCharged } = await services.invoices.run({ type: 'system' });
    return { invoices, lines, placesCharged };
  },
};

// Named presets for `git backup config template NAME`: each sets the keys that shape how eagerly
// backups are cleaned up, and leaves the rest (integration branch, paths, alerts) alone.
// Retention for CREATED and PENDING stays long even in `aggressive`: that work is not in git yet.

export type TemplateName = 'conservative' | 'aggressive' | 'development';

export const TEMPLATES: Readonly<Record<TemplateName, { describe: string; values: Readonly<Record<string, string>> }>> = {
  conservative: {
    describe: 'keep backups long, archive only at high confidence (0.9), clean up under disk pressure only what is surely safe',
    values: {
      'retention.created': '90d',
      'retention.pending': '90d',
      'retention.confirmed': '30d',
      'retention.cleanable': '30d',
      'retention.archived': '365d',
      'keep.last': '10',
      'keep.daily': '14',
      'keep.weekly': '8',
      autoCleanupConfidence: '0.9',
      'disk.strategy': 'conservative',
    },
  },
  aggressive: {
    describe: 'short retention, archive at confidence 0.6, free disk space eagerly',
    values: {
      'retention.created': '14d',
      'retention.pending': '30d',
      'retention.confirmed': '1d',
      'retention.cleanable': '2d',
      'retention.archived': '30d',
      'keep.last': '3',
      'keep.daily': '3',
      'keep.weekly': '2',
      autoCleanupConfidence: '0.6',
      'disk.strategy': 'aggressive',
    },
  },
  development: {
    describe: 'minutes instead of days, checks every minute: watch the whole lifecycle while trying git backup out',
    values: {
      'retention.created': '2h',
      'retention.pending': '2h',
      'retention.confirmed': '10m',
      'retention.cleanable': '10m',
      'retention.archived': '1h',
      'keep.last': '2',
      'keep.daily': '0',
      'keep.weekly': '0',
      autoCleanupConfidence: '0.5',
      'disk.strategy': 'aggressive',
      'check.interval': '1m',
    },
  },
};

export const TEMPLATE_NAMES = Object.keys(TEMPLATES) as TemplateName[];

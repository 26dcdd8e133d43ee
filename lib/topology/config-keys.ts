/**
 * The keys of postbox.config.ts (config/postbox-config.ts, whose schema a test holds to this list): the topology's
 * schema names them when one is written in the topology, and may not import the config's room.
 */
export const CONFIG_KEYS = ['topology', 'workers', 'stages', 'alarmEmail', 'cdkNag', 'outbox', 'schedules', 'stackGroups', 'dev'] as const;

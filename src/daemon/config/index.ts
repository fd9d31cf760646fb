/** The daemon's configuration file: loading with located errors, defaults, JSON Schema. */
export { loadConfigFile, parseConfigText, YAML_PATH, type LoadOptions, type LoadedConfig } from './load.js';
export { defaultConfig } from './defaults.js';
export { configJsonSchema, type JsonSchema } from './json-schema.js';
export { DEFAULT_CONFIG_PATH } from './schema.js';
export { ConfigError, type ConfigWarning, type ConfigLocation } from './errors.js';
export { specHash } from './spec-hash.js';
export { formatDuration, formatPerSecond, formatRate, formatSize, parseDuration, parsePerSecond, parseRate, parseSize } from './units.js';
export type {
  AutoConfig,
  CpuBinding,
  CpuListSpec,
  DaemonConfig,
  HttpConfig,
  HttpListen,
  InactiveRule,
  LogLevel,
  MatchRule,
  MetricsConfig,
  MigrateAction,
  Mode,
  NodeListSpec,
  PolicySpec,
  Rule,
  RuleMatch,
  ShmObject,
  ShmRule,
  UserSelector,
  VmaAction,
  VmaArea,
} from './types.js';

export { startServer, DEFAULT_REPOSITORY } from './server.ts';
export type { ServerOptions, RunningServer } from './server.ts';
export { parseModelConfig, publicShape } from './config.ts';
export type { ModelConfig, ParsedModelConfig, TensorConfig, DynamicBatching } from './config.ts';
export type { Model, Provider } from './repository.ts';
export { DATATYPES } from './protocol/datatypes.ts';
export type { Datatype } from './protocol/datatypes.ts';

export { LatencyModel, sizeBucket, type Estimate, type LatencyOptions } from './latency-model';
export { planFor, recommend, rescore, type Plan, type PlanOptions } from './planner';
export { compile, type CostModel, type Problem, type Shares } from './problem';
export {
  MAX_IN_FLIGHT,
  Scheduler,
  strategyAllows,
  strategySplits,
  type Check,
  type Policy,
  type Prediction,
  type SchedulerOptions,
} from './scheduler';
export type {
  Clock,
  PlacementChange,
  StageInfo,
  StagePlacement,
  Strategy,
  TargetInfo,
} from './types';
export { PlanDecider, oraclePlan, problemOf, trueCosts } from './sim/oracle';
export { randomScenario } from './sim/random';
export { SCENARIOS, TARGETS, TRANSFERS } from './sim/scenarios';
export {
  SimClock,
  rng,
  simulate,
  type Decider,
  type Scenario,
  type SimEvents,
  type SimResult,
} from './sim/simulator';

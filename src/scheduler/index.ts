export { LatencyModel, sizeBucket, type Estimate, type LatencyOptions } from './latency-model';
export {
  bestPlan,
  bestStatic,
  loads,
  periodOf,
  type CostModel,
  type Plan,
  type Problem,
  type Shares,
} from './plan';
export { Scheduler, strategyAllows, type Policy, type SchedulerOptions } from './scheduler';
export type {
  Clock,
  PlacementChange,
  StageInfo,
  StagePlacement,
  Strategy,
  TargetInfo,
} from './types';
export { PlanDecider, oraclePlan, oracleStatic, problemOf, trueCosts } from './sim/oracle';
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

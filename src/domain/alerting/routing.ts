import type { Labels } from './fingerprint.ts';
import { matchesAll, type Matcher } from './matchers.ts';
import type { AlertingConfig, RouteConfig } from './config/alerting-config.ts';
import { inTimeIntervals } from './config/time-intervals.ts';

/**
 * Which routes of the tree take an alert, as Alertmanager's dispatcher decides (dispatch/route.go,
 * Route.Match): a route that matches hands the alert to its children in order; the first child
 * that takes it ends the search unless that child has `continue: true`; a matching route none of
 * whose children takes the alert takes it itself. Answers the routes in order, each with the path
 * of child indexes that leads to it (for its key).
 */
export interface MatchedRoute {
  route: RouteConfig;
  path: number[];
}

export function matchRoutes(root: RouteConfig, labels: Labels): MatchedRoute[] {
  return matchFrom(root, labels, []) ?? [];
}

function matchFrom(route: RouteConfig, labels: Labels, path: number[]): MatchedRoute[] | null {
  if (!matchesAll(route.matchers, labels)) return null;
  const all: MatchedRoute[] = [];
  for (let i = 0; i < route.routes.length; i++) {
    const child = route.routes[i]!;
    const matches = matchFrom(child, labels, [...path, i]);
    if (matches) all.push(...matches);
    if (matches && !child.continue) break;
  }
  if (all.length === 0) all.push({ route, path });
  return all;
}

/** The receivers an alert goes to, in order (amtool config routes test). */
export function receiversFor(root: RouteConfig, labels: Labels): string[] {
  return matchRoutes(root, labels).map((m) => m.route.receiver);
}

/** The labels a route groups by: its group_by, or all of them for `...`. */
export function groupLabelsFor(route: RouteConfig, labels: Labels): Record<string, string> {
  if (route.groupByAll) return { ...labels };
  const out: Record<string, string> = {};
  for (const name of route.groupBy) if (labels[name] !== undefined) out[name] = labels[name]!;
  return out;
}

/** The route at a path of child indexes, or null when the tree no longer has it. */
export function routeAt(root: RouteConfig, path: readonly number[]): RouteConfig | null {
  let route: RouteConfig | undefined = root;
  for (const i of path) route = route?.routes[i];
  return route ?? null;
}

/** The matchers of each route from the root's child down the path (what a group key is built of). */
export function matchersAlong(root: RouteConfig, path: readonly number[]): Matcher[][] {
  const out: Matcher[][] = [];
  let route: RouteConfig | undefined = root;
  for (const i of path) {
    route = route?.routes[i];
    if (!route) break;
    out.push(route.matchers);
  }
  return out;
}

/** A route is muted while one of its mute intervals holds, or when it has active intervals and none holds. */
export function routeMutedAt(config: AlertingConfig, route: RouteConfig, now: number): boolean {
  const holds = (name: string) => inTimeIntervals(config.timeIntervals.get(name) ?? [], now);
  if (route.muteTimeIntervals.some(holds)) return true;
  return route.activeTimeIntervals.length > 0 && !route.activeTimeIntervals.some(holds);
}

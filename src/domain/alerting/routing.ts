import type { Labels } from './fingerprint.ts';
import { matchesAll } from './matchers.ts';
import type { RouteConfig } from './config/alerting-config.ts';

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

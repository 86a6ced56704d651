// The dashboard and alerting rules in deploy/ name only metrics the platform serves: checked
// against the metric contract and against a real scrape, and the rules by promtool (Debian's
// `prometheus` package) where it is installed — always in CI.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { freePort } from '../helpers/crashable-server.js';
import { type Exposition, scrape } from '../helpers/prometheus-text.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ALERTS = path.join(ROOT, 'deploy/prometheus/alerts.yml');
const ALERT_TESTS = path.join(ROOT, 'deploy/prometheus/alerts.test.yml');
const DASHBOARD = path.join(ROOT, 'deploy/grafana/mamlaka-dashboard.json');
const PROMTOOL = '/usr/bin/promtool';

/** The metric families the platform promises (names and types); dashboards and alerts use these. */
const CONTRACT: Record<string, string> = {
  mamlaka_http_requests_total: 'counter',
  mamlaka_http_request_duration_seconds: 'histogram',
  mamlaka_grpc_requests_total: 'counter',
  mamlaka_grpc_request_duration_seconds: 'histogram',
  mamlaka_payments_total: 'counter',
  mamlaka_refunds_total: 'counter',
  mamlaka_checkouts_total: 'counter',
  mamlaka_checkout_group_size: 'histogram',
  mamlaka_checkout_queue_waiting: 'gauge',
  mamlaka_outbox_lag_seconds: 'gauge',
  mamlaka_outbox_relayed_events_total: 'counter',
  mamlaka_webhook_deliveries_total: 'counter',
  mamlaka_webhook_endpoints_disabled_total: 'counter',
  mamlaka_mail_queue_depth: 'gauge',
  mamlaka_midtrans_request_duration_seconds: 'histogram',
  mamlaka_midtrans_errors_total: 'counter',
  mamlaka_rate_limit_refusals_total: 'counter',
  mamlaka_db_pool_connections: 'gauge',
  mamlaka_ledger_check_violations: 'gauge',
  mamlaka_ledger_check_last_run_timestamp_seconds: 'gauge',
  mamlaka_payouts_pending_oldest_age_seconds: 'gauge',
  nodejs_eventloop_lag_seconds: 'gauge',
  process_resident_memory_bytes: 'gauge',
  process_cpu_seconds_total: 'counter',
};

interface Rule {
  alert: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const rules = (parse(readFileSync(ALERTS, 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap(
  (group) => group.rules,
);

interface Panel {
  id: number;
  type: string;
  title: string;
  targets?: { expr: string; refId: string }[];
  datasource?: { type: string; uid: string };
}
const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { uid: string; panels: Panel[] };
const queries = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));

/** The metric families a PromQL expression reads (histogram series map to their family). */
function familiesIn(expr: string): string[] {
  const names = expr.match(/\b(?:mamlaka|nodejs|process)_[a-z0-9_]+\b/g) ?? [];
  return names.map((name) => name.replace(/_(bucket|count|sum)$/, ''));
}
/** The anchors GitHub gives a Markdown file's headings (lowercased, punctuation dropped, spaces as dashes). */
function headingAnchors(markdown: string): string[] {
  return [...markdown.matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)].map((match) =>
    match[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-'),
  );
}

const named = [...new Set([...rules.map((rule) => rule.expr), ...queries].flatMap(familiesIn))].sort();

describe('dashboard and alerting rules', () => {
  it('name only metrics of the contract', () => {
    expect(named.length).toBeGreaterThan(15);
    expect(named.filter((name) => !(name in CONTRACT))).toEqual([]);
    // The list: every one of these situations has an alert.
    for (const metric of [
      'mamlaka_http_requests_total',
      'mamlaka_http_request_duration_seconds',
      'mamlaka_outbox_lag_seconds',
      'mamlaka_webhook_deliveries_total',
      'mamlaka_ledger_check_violations',
      'mamlaka_ledger_check_last_run_timestamp_seconds',
      'mamlaka_payouts_pending_oldest_age_seconds',
    ])
      expect(
        rules.some((rule) => familiesIn(rule.expr).includes(metric)),
        metric,
      ).toBe(true);
  });

  it('give every alert a severity, a summary, a description and its runbook entry', () => {
    const runbook = path.join(ROOT, 'docs/operations.md');
    const anchors = existsSync(runbook) ? headingAnchors(readFileSync(runbook, 'utf8')) : undefined;
    for (const rule of rules) {
      expect(rule.labels?.severity, rule.alert).toMatch(/^(page|warn)$/);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
      expect(rule.annotations?.description, rule.alert).toBeTruthy();
      const [file, anchor] = (rule.annotations?.runbook_url ?? '').split('#');
      expect(file, rule.alert).toBe('docs/operations.md');
      expect(anchor, rule.alert).toMatch(/^[a-z0-9-]+$/);
      // Once the runbook exists, the link lands on one of its headings.
      if (anchors) expect(anchors, `runbook heading #${anchor} for ${rule.alert}`).toContain(anchor);
    }
  });

  it('lay out a dashboard whose panels all query Prometheus', () => {
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels.filter((candidate) => candidate.type !== 'row')) {
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
    }
  });

  it.runIf(existsSync(PROMTOOL) || process.env.CI)(
    'pass promtool check rules and the rule unit tests',
    () => {
      const run = (...args: string[]) =>
        execFileSync(PROMTOOL, args, { encoding: 'utf8', cwd: path.dirname(ALERTS) });
      expect(run('check', 'rules', ALERTS)).toMatch(/SUCCESS: \d+ rules found/);
      expect(run('test', 'rules', ALERT_TESTS)).toMatch(/SUCCESS/);
    },
  );

  describe('against a running platform', () => {
    let app: TestApp;
    let exposition: Exposition;

    beforeAll(async () => {
      const port = await freePort();
      app = await startTestApp({ METRICS_PORT: String(port), METRICS_HOST: '127.0.0.1' });
      // One request, so that the request series have samples too.
      expect((await app.api('GET', '/health')).status).toBe(200);
      exposition = await scrape(port);
    }, 60_000);

    afterAll(async () => {
      await app?.close();
    });

    it('serves every metric the dashboard and the alerts read, with the contract type', () => {
      const served = Object.fromEntries(named.map((name) => [name, exposition.types.get(name)]));
      expect(served).toEqual(Object.fromEntries(named.map((name) => [name, CONTRACT[name]])));
    });
  });
});

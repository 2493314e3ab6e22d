import { execFileSync } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnTalonStart, type TalonProcess } from '../support/cli.ts';
import { falcoEvent } from '../support/fixtures.ts';

// The Temporal UI reads like an audit trail: a real headless Chromium (Debian's package, provisioned
// by scripts/provision-chromium.sh, driven by playwright-core) against `talon start`'s embedded UI.

const chromiumPath = process.env.CHROMIUM_BIN || execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
let talon: TalonProcess;
let browser: Browser;
let ui: number;
let http: number;

beforeAll(async () => {
  ({ talon, ui, http } = await spawnTalonStart());
  browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
});

afterAll(async () => {
  await browser?.close();
  await talon?.kill('SIGTERM');
});

describe('the Temporal UI', () => {
  it('shows each run’s summary in the workflow list and its summary and details on the run’s page', async () => {
    const event = falcoEvent({
      output: 'A shell was spawned in a container (user=root) ui-test',
      output_fields: { 'k8s.ns.name': 'prod', 'k8s.pod.name': 'web-7' },
    });
    const answer = (await (await fetch(`http://127.0.0.1:${http}/`, { method: 'POST', body: JSON.stringify(event) })).json()) as { workflowId: string };
    const summary = 'Terminal shell in container → prod/web-7: kubernetes:label, kubernetes:log, kubernetes:networkpolicy, kubernetes:terminate (dry run)';

    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.goto(`http://127.0.0.1:${ui}/namespaces/default/workflows`);
    // The list shows the `TalonSummary` column once added (Configure Columns), as a user would.
    await page.getByTestId('workflows-summary-table-configuration-button').click();
    await page.getByTestId('orderable-list-item-TalonSummary-add-button').click();
    await page.keyboard.press('Escape');
    const row = page.locator('tr', { hasText: answer.workflowId });
    await expect.poll(async () => (await row.count()) > 0 && (await row.first().innerText()), { timeout: 20_000 }).toContain(summary);

    // The run's page: summary and markdown details under User Metadata.
    await page.goto(`http://127.0.0.1:${ui}/namespaces/default/workflows/${answer.workflowId}`);
    await page
      .getByTestId('user-metadata-tab')
      .or(page.getByText('User Metadata', { exact: true }))
      .first()
      .click();
    await expect.poll(() => page.frameLocator('#user-metadata-summary').locator('body').innerText(), { timeout: 20_000 }).toContain(summary);
    const details = await page.frameLocator('#user-metadata-details').locator('body').innerText();
    expect(details).toContain('Falco rule: Terminal shell in container (Warning, syscall) on node-1');
    expect(details).toContain('Pod: prod/web-7');
    expect(details).toMatch(/1\. Label the pod as suspicious — kubernetes:label/);
    await page.close();
  }, 90_000);
});

// Options pages end to end: the option chain renders with its ATM row highlighted, live prices
// arrive, the greeks toggle adds columns, and clicking an ask opens the order ticket for that
// contract. Called by run.mjs after sign-in; needs the /web/options routes.
export const OPTION_ROUTES = ['GET /web/options/expiries', 'GET /web/options/chain'];

export async function optionChainSteps({ step, page, available, shot }) {
  await step(
    'option chain shows the ATM row, greeks and click-to-trade',
    OPTION_ROUTES,
    available,
    async () => {
      await page.goto('/optionchain');
      const table = page.getByRole('table', { name: 'Option chain' });
      await table.waitFor();
      const atm = table.getByTestId('atm-row');
      await atm.waitFor();
      const strike = Number((await atm.locator('td').nth(5).textContent())?.trim());
      if (!(strike > 0)) throw new Error(`ATM row has no strike (${strike})`);
      if ((await atm.getAttribute('aria-current')) !== 'true')
        throw new Error('ATM row is not marked current');
      await page.getByText(`ATM ${strike}`).waitFor();
      await shot('30-option-chain');
      await page.getByRole('switch', { name: 'Show greeks' }).click();
      await table.getByRole('columnheader', { name: 'Delta' }).first().waitFor();
      await shot('31-option-chain-greeks');
      await atm.getByRole('button', { name: /^Buy .*CE at the ask$/ }).click();
      const ticket = page.getByRole('dialog');
      await ticket.waitFor();
      // The ticket shows the contract it was opened for: the ATM call.
      const symbol = (await ticket.getByTestId('ticket-instrument').textContent()) ?? '';
      if (!symbol.includes(`${strike}CE`)) throw new Error(`ticket opened for ${symbol}, not the ATM call`);
      await shot('32-option-chain-ticket');
      await page.keyboard.press('Escape');
      await ticket.waitFor({ state: 'detached' });
    },
  );

  await step(
    'options analytics pages draw their plots',
    [
      'GET /web/options/gex',
      'GET /web/options/volsurface',
      'GET /web/options/straddlechart',
      'GET /web/options/ivhistory',
      'GET /web/options/oitracker',
      'GET /web/options/ivsmile',
    ],
    available,
    async () => {
      await page.goto('/gex');
      await page.getByRole('img', { name: 'Gamma exposure by strike' }).waitFor();
      await shot('33-gex');
      await page.goto('/volsurface');
      await page.getByRole('table', { name: 'Implied volatility by strike and expiry' }).waitFor();
      await shot('34-vol-surface');
      for (const [path, name] of [
        ['/straddle', '35-straddle'],
        ['/ivchart', '36-iv-chart'],
        ['/oitracker', '37-oi-tracker'],
        ['/ivsmile', '38-iv-smile'],
      ]) {
        await page.goto(path);
        await page.locator('[data-series], svg[role="img"]').first().waitFor();
        await shot(name);
      }
    },
  );
}

/** Copy-paste snippets with the user's real key and this server's address. */
export function pythonSnippet(host: string, key: string): string {
  return [
    'from openalgo import api',
    '',
    `client = api(api_key="${key}", host="${host}")`,
    'print(client.funds())',
    'print(client.placeorder(symbol="SBIN", exchange="NSE", action="BUY",',
    '                        price_type="MARKET", product="MIS", quantity=1))',
  ].join('\n');
}

export function curlSnippet(host: string, key: string): string {
  return [
    `curl -s -X POST ${host}/api/v1/funds \\`,
    "  -H 'Content-Type: application/json' \\",
    `  -d '{"apikey": "${key}"}'`,
  ].join('\n');
}

export function maskKey(key: string): string {
  return key.length <= 8
    ? '•'.repeat(key.length)
    : `${key.slice(0, 4)}${'•'.repeat(key.length - 8)}${key.slice(-4)}`;
}

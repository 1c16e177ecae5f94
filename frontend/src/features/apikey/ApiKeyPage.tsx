import { useQuery } from '@tanstack/react-query';
import { Copy, Eye, EyeOff } from 'lucide-react';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { ConfirmButton } from '@/components/ui/confirm';
import { ErrorState, LoadingState, NotAvailableState } from '@/components/ui/states';
import { isNotAvailable } from '@/lib/api/errors';
import { toast } from '@/stores/toasts';
import { apiKeyQuery, useRegenerateApiKey } from './api';
import { curlSnippet, maskKey, pythonSnippet } from './snippets';

async function copy(text: string, what: string) {
  try {
    await navigator.clipboard.writeText(text);
    toast.success(`${what} copied`);
  } catch {
    toast.error('Copy failed: the browser blocked the clipboard.');
  }
}

export function ApiKeyPage() {
  const query = useQuery(apiKeyQuery);
  const regenerate = useRegenerateApiKey();
  const [shown, setShown] = useState(false);
  const key = query.data?.api_key ?? null;
  const host = window.location.origin;

  let body: React.ReactNode;
  if (query.isPending) body = <LoadingState />;
  else if (query.isError && isNotAvailable(query.error))
    body = <NotAvailableState feature="API key management" route="GET /web/apikey" />;
  else if (query.isError) body = <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  else
    body = (
      <CardContent className="space-y-3">
        <p className="text-xs text-muted-foreground">
          Scripts, the openalgo SDK and TradingView/Chartink webhooks authenticate with this key. Anyone
          holding it can trade on your account: keep it secret.
        </p>
        {key ? (
          <div className="flex items-center gap-1.5">
            <code
              className="flex-1 truncate rounded-md border bg-background px-2 py-1.5 font-mono text-xs"
              data-testid="api-key"
            >
              {shown ? key : maskKey(key)}
            </code>
            <Button
              size="icon"
              variant="outline"
              aria-label={shown ? 'Hide key' : 'Show key'}
              onClick={() => setShown(!shown)}
            >
              {shown ? <EyeOff /> : <Eye />}
            </Button>
            <Button
              size="icon"
              variant="outline"
              aria-label="Copy key"
              onClick={() => void copy(key, 'API key')}
            >
              <Copy />
            </Button>
          </div>
        ) : (
          <p className="text-xs">You have no API key yet.</p>
        )}
        <ConfirmButton
          variant="default"
          size="sm"
          title={key ? 'Regenerate the API key?' : 'Generate an API key?'}
          description={
            key
              ? 'The current key stops working at once; update every script and webhook that uses it.'
              : 'A new key is created for your account.'
          }
          confirmLabel={key ? 'Regenerate' : 'Generate'}
          onConfirm={async () => {
            await regenerate.mutateAsync();
            setShown(true);
            toast.success('New API key ready');
          }}
        >
          {key ? 'Regenerate key' : 'Generate key'}
        </ConfirmButton>
        {regenerate.error ? <p className="text-xs text-loss">{regenerate.error.message}</p> : null}
      </CardContent>
    );

  return (
    <div className="max-w-3xl space-y-3">
      <Card>
        <CardHeader>
          <CardTitle as="h1">API key</CardTitle>
        </CardHeader>
        {body}
      </Card>
      {key ? (
        <>
          <Snippet
            title="Python (openalgo SDK)"
            code={pythonSnippet(host, shown ? key : maskKey(key))}
            copyText={pythonSnippet(host, key)}
          />
          <Snippet
            title="curl"
            code={curlSnippet(host, shown ? key : maskKey(key))}
            copyText={curlSnippet(host, key)}
          />
        </>
      ) : null}
    </div>
  );
}

function Snippet({ title, code, copyText }: { title: string; code: string; copyText: string }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>{title}</CardTitle>
        <Button size="xs" variant="outline" onClick={() => void copy(copyText, title)}>
          <Copy /> Copy
        </Button>
      </CardHeader>
      <pre className="overflow-x-auto p-3 font-mono text-xs leading-relaxed">{code}</pre>
    </Card>
  );
}

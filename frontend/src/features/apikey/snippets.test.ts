import { curlSnippet, maskKey, pythonSnippet } from './snippets';

describe('API key snippets', () => {
  it('embed the real key and host', () => {
    expect(curlSnippet('http://127.0.0.1:5000', 'abc')).toBe(
      `curl -s -X POST http://127.0.0.1:5000/api/v1/funds \\\n  -H 'Content-Type: application/json' \\\n  -d '{"apikey": "abc"}'`,
    );
    expect(pythonSnippet('http://h', 'k')).toContain('client = api(api_key="k", host="http://h")');
  });
  it('masks all but the ends', () => {
    expect(maskKey('0123456789abcdef')).toBe('0123••••••••cdef');
    expect(maskKey('short')).toBe('•••••');
  });
});

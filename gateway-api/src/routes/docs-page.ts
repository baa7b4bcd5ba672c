/** A readable, script-free page of the OpenAPI document (rendered once, served at /docs). */
export function docsPage(doc: Record<string, unknown>): string {
  const info = doc.info as { title: string; version: string; description: string };
  const paths = doc.paths as Record<string, Record<string, Record<string, unknown>>>;
  const byTag = new Map<string, string[]>();
  for (const [path, methods] of Object.entries(paths)) {
    for (const [method, entry] of Object.entries(methods)) {
      const tag = ((entry.tags as string[] | undefined) ?? ['Other'])[0] ?? 'Other';
      const body = (entry.requestBody as { content?: Record<string, { schema: unknown }> } | undefined)?.content?.[
        'application/json'
      ]?.schema;
      const params = ((entry.parameters as Array<{ name: string; in: string; required?: boolean }> | undefined) ?? [])
        .map((p) => `${esc(p.name)} <small>(${p.in}${p.required ? ', required' : ''})</small>`)
        .join(', ');
      const html = [
        `<section id="${esc(String(entry.operationId))}">`,
        `<h3><code class="m ${method}">${method.toUpperCase()}</code> <code>${esc(path)}</code></h3>`,
        `<p>${esc(String(entry.summary ?? ''))}</p>`,
        entry.description ? `<p class="d">${esc(String(entry.description))}</p>` : '',
        params ? `<p>Parameters: ${params}</p>` : '',
        body
          ? `<details><summary>Request body</summary><pre>${esc(JSON.stringify(body, null, 2))}</pre></details>`
          : '',
        '</section>',
      ].join('\n');
      byTag.set(tag, [...(byTag.get(tag) ?? []), html]);
    }
  }
  const sections = [...byTag.entries()].map(([tag, items]) => `<h2>${esc(tag)}</h2>\n${items.join('\n')}`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(info.title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
code.m{padding:0 .4em;border-radius:3px;color:#fff;background:#555}.post{background:#2a7}.put{background:#c80}.delete{background:#c33}.get{background:#36c}
section{border-top:1px solid #ddd;padding:.3rem 0}.d{color:#555}pre{background:#f6f6f6;padding:.5rem;overflow:auto}</style></head>
<body><h1>${esc(info.title)} <small>${esc(info.version)}</small></h1><p>${esc(info.description)}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
${sections}
</body></html>`;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

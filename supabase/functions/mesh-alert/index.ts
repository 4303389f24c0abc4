Deno.serve(() => new Response("mesh-alert"));

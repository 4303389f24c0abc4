Deno.serve(() => new Response("hazard-scan"));

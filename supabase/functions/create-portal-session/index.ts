Deno.serve(() => new Response("create-portal-session"));

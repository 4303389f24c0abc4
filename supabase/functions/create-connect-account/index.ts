Deno.serve(() => new Response("create-connect-account"));
